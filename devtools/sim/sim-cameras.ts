import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLIP_PRESETS, type ClipPreset } from './clip-presets.ts';
import { DEFAULT_TARGETS_FILE, startSimulatedCameras } from './simulated-cameras.ts';

export { startSimulatedCameras, type SimulatedCameras, type SimulatedCamerasOptions, type SimulatedCameraTarget } from './simulated-cameras.ts';

const HELP = `Usage: npm run sim:cameras -- [options]

Starts simulated IP cameras on 127.0.0.1: one RTSP server (gst-rtsp-server) with a mount per camera,
plus one ONVIF device per camera (SOAP over HTTP, WS-Discovery on its own UDP port).
Runs until Ctrl-C / SIGTERM, then stops every child process.

Options:
  --count N            number of cameras (default 8, max 500)
  --preset NAME        clip of the main streams: plates (1080p, known plates), small (640x360), hd (1080p scenes)
                       (default small; sub streams are always small)
  --username USER      camera credentials for ONVIF, RTSP and snapshots (default admin)
  --password PASS      (default admin123)
  --multicast          the first camera also answers probes on 239.255.255.250:3702 (if the port is free)
  --targets FILE       where to write discovery targets (default ${DEFAULT_TARGETS_FILE})
  --json               print one JSON line with the discovery targets instead of the table
  -h, --help           this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '8' },
      preset: { type: 'string', default: 'small' },
      username: { type: 'string', default: 'admin' },
      password: { type: 'string', default: 'admin123' },
      multicast: { type: 'boolean', default: false },
      targets: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 500) fail('--count must be an integer from 1 to 500');
  if (!CLIP_PRESETS.includes(values.preset as ClipPreset)) fail(`--preset must be one of ${CLIP_PRESETS.join(', ')}`);

  if (!values.json) console.log(`starting ${count} simulated cameras (preset ${values.preset}); building clips if needed...`);
  const sim = await startSimulatedCameras({
    count,
    preset: values.preset as ClipPreset,
    username: values.username,
    password: values.password,
    multicast: values.multicast,
    targetsFile: values.targets,
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!values.json) console.log(`${signal}: stopping simulated cameras`);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (values.json) {
    console.log(
      JSON.stringify({
        ready: true,
        discoveryTargets: sim.cameras.map((c) => `${c.discovery.host}:${c.discovery.port}`),
        cameras: sim.cameras.map(({ name, xaddr, discovery, rtspUrl, subRtspUrl }) => ({ name, xaddr, discovery, rtspUrl, subRtspUrl })),
        rtspServerPids: [...new Set([sim.mainServer.pid, sim.subServer.pid])],
        targetsFile: sim.targetsFile ?? null,
      }),
    );
    return;
  }
  for (const camera of sim.cameras) {
    console.log(`${camera.name.padEnd(16)} ${camera.xaddr}  discovery 127.0.0.1:${camera.discovery.port}  ${camera.rtspUrl}`);
  }
  console.log(
    `${sim.cameras.length} cameras ready; RTSP main on port ${sim.mainServer.port}, sub on port ${sim.subServer.port}; ` +
      `credentials ${sim.username}/${'*'.repeat(sim.password.length)}; targets in ${sim.targetsFile}. Ctrl-C to stop.`,
  );
}

function fail(message: string): never {
  process.stderr.write(`sim-cameras: ${message}\n\n${HELP}`);
  process.exit(2);
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((error: unknown) => {
    process.stderr.write(`sim-cameras: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
