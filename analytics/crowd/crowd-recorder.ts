import type { Logger } from 'pino';
import type { HubEvents } from '../../api/kernel/events/hub-events.ts';
import type { CrowdAlertEnded, CrowdAlertRaised, CrowdSample, CrowdSink } from './crowd-monitor.ts';
import type { CrowdStore } from './crowd-store.ts';

/**
 * The crowd monitors' sink: samples and alerts to the database, raised alerts also as `crowd.alert`
 * events. Writes run in the background in order (an alert's end never overtakes its start); idle() waits for them.
 */
export class CrowdRecorder implements CrowdSink {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly store: CrowdStore, private readonly events: HubEvents, private readonly log: Pick<Logger, 'error'>) {}

  samples(samples: CrowdSample[]): void {
    this.run('crowd samples', () => this.store.addSamples(samples));
  }

  alertRaised(alert: CrowdAlertRaised): void {
    this.run('crowd alert', async () => {
      const row = await this.store.raiseAlert(alert);
      this.events.emit('crowd.alert', { ...alert, id: row.id });
    });
  }

  alertEnded(alert: CrowdAlertEnded): void {
    this.run('crowd alert end', () => this.store.endAlert(alert));
  }

  idle(): Promise<void> {
    return this.tail;
  }

  private run(what: string, write: () => Promise<void>): void {
    this.tail = this.tail.then(write).catch((error: unknown) => this.log.error({ err: error }, `${what} not stored`));
  }
}
