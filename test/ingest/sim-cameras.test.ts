import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedCameras } from '../../devtools/sim/sim-cameras.ts';
import { ffprobeJson, probe, processExists, soapCall, usernameToken } from './sim-helpers.ts';

const parser = new XMLParser({ removeNSPrefix: true });

describe('simulated cameras', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-cameras-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('startSimulatedCameras: discoverable devices whose stream URI plays with their credentials', async () => {
    const targetsFile = join(dir, 'cameras.json');
    const sim = await startSimulatedCameras({ count: 3, preset: 'small', username: 'admin', password: 'pw-1', targetsFile });
    try {
      expect(sim.cameras).toHaveLength(3);
      const written = JSON.parse(await readFile(targetsFile, 'utf8'));
      expect(written.discoveryTargets).toEqual(sim.cameras.map((c) => `127.0.0.1:${c.discovery.port}`));

      const third = sim.cameras[2]!;
      const { replies } = await probe(third.discovery.port);
      expect(parser.parse(replies[0]!.toString()).Envelope.Body.ProbeMatches.ProbeMatch.XAddrs).toBe(third.xaddr);
      const media = third.xaddr.replace('device_service', 'media_service');
      const reply = await soapCall(media, '<trt:GetStreamUri><trt:ProfileToken>main</trt:ProfileToken></trt:GetStreamUri>', usernameToken('admin', 'pw-1'));
      const uri = parser.parse(reply.body.toString()).Envelope.Body.GetStreamUriResponse.MediaUri.Uri as string;
      expect(uri).toBe(sim.mainServer.urlFor('/cam3'));
      const info = await ffprobeJson(['-rtsp_transport', 'tcp', '-show_streams', uri.replace('rtsp://', 'rtsp://admin:pw-1@')]);
      expect(info.streams[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    } finally {
      await sim.stop();
    }
    expect(processExists(sim.mainServer.pid)).toBe(false);
  });

  it('the CLI prints its targets as JSON and leaves no child behind on SIGTERM', async () => {
    const cli = spawn(process.execPath, ['--import', 'tsx', 'devtools/sim/sim-cameras.ts', '--count', '2', '--preset', 'small', '--json', '--targets', join(dir, 'cli.json')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: cli.stdout! }).once('line', resolve);
        cli.once('exit', () => reject(new Error('CLI exited before printing its targets')));
      });
      const started = JSON.parse(firstLine);
      expect(started.ready).toBe(true);
      expect(started.discoveryTargets).toHaveLength(2);
      const port = Number(String(started.discoveryTargets[1]).split(':')[1]);
      expect((await probe(port)).replies).toHaveLength(1);
      expect(started.rtspServerPids.every(processExists)).toBe(true);

      cli.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(started.rtspServerPids.some(processExists)).toBe(false);
      expect((await probe(port, { waitMs: 300 })).replies).toHaveLength(0);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });
});
