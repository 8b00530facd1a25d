import { DomainError } from '../../api/kernel/errors/domain-error.ts';

/**
 * SSRCs as wvp allocates them: 10 decimal digits, first 0 (live) or 1 (history), then digits 4–8 of the SIP
 * domain, then a 0000–9999 sequence unique among the streams running here. The RTP header carries the number.
 */
export class GbSsrcs {
  private readonly used = new Set<number>();
  private next = 0;

  constructor(private readonly domain: string) {}

  allocate(history = false): string {
    for (let i = 0; i < 10_000; i++) {
      const seq = (this.next + i) % 10_000;
      if (this.used.has(seq)) continue;
      this.used.add(seq);
      this.next = (seq + 1) % 10_000;
      return `${history ? 1 : 0}${this.domain.substring(3, 8)}${String(seq).padStart(4, '0')}`;
    }
    throw new DomainError('GB_SSRC_EXHAUSTED', 'all 10,000 SSRCs are in use');
  }

  release(ssrc: string): void {
    this.used.delete(Number(ssrc.slice(-4)));
  }
}
