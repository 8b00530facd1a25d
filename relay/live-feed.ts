import type { Writable } from 'node:stream';

/**
 * Video the hub receives itself and hands to the relay's ffmpeg on stdin, instead of a URL ffmpeg pulls
 * (GB/T 28181: MPEG-PS out of RTP). The relay attaches each ffmpeg run's stdin and closes the feed when
 * the pull stops (the last lease is gone), which ends the call with the device.
 */
export interface LiveFeed {
  /** ffmpeg demuxer for the bytes. */
  readonly format: 'mpeg';
  /** Where the bytes go from now on: the stdin of the current ffmpeg run; undefined while none runs. */
  attach(sink: Writable | undefined): void;
  /** True while the source is paused on purpose (a viewer paused a device playback): silence is expected then. */
  readonly held?: boolean;
  close(): Promise<void>;
}

/** Opens feeds for the cameras that have one. */
export interface LiveFeedSource {
  /** The camera's live feed (started: the device is sending or about to), or undefined when the camera is pulled by URL. */
  openFeed(cameraId: string): Promise<LiveFeed | undefined>;
}
