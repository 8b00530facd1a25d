export interface SamplerArgsOptions {
  url: string;
  sampleFps: number;
  width: number;
  height: number;
  inputTimeoutSeconds: number;
}

/**
 * ffmpeg argv for the frame sampler: pull the source, keep `sampleFps` frames a second, scale once to the
 * model size (aspect kept, padded black so every frame has exactly width*height*3 bytes) and write raw
 * RGB to stdout. fps comes before scale so dropped frames are never scaled.
 */
export function samplerArgs(o: SamplerArgsOptions): string[] {
  // 'info' so the input stream's picture size is printed (zones are placed inside the padded frame by it).
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info'];
  const timeoutUs = String(o.inputTimeoutSeconds * 1_000_000);
  if (/^rtsps?:/i.test(o.url)) args.push('-rtsp_transport', 'tcp', '-timeout', timeoutUs);
  else args.push('-rw_timeout', timeoutUs);
  args.push('-fflags', 'nobuffer+discardcorrupt', '-i', o.url, '-an', '-sn', '-dn');
  const { width: w, height: h } = o;
  args.push(
    '-vf',
    `fps=${o.sampleFps},scale=w=${w}:h=${h}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
      `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,format=rgb24`,
  );
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}

/** The URL as it may appear in logs: no user:password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
