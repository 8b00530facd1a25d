#!/usr/bin/python3
"""Test RTSP server: many mount points, one H.264 clip looped in real time without re-encoding.

The clip's access units are demuxed once into memory; every mount gets a live appsrc that a single
main-loop timer feeds at the clip's frame rate, restamping each buffer with the pipeline running time.
With --clock instead of --clip, every mount streams frames drawn as they are due, each carrying its own
wall-clock time (clock_frames.py), encoded live with openh264 at one key frame a second.
Run with /usr/bin/python3 (needs python3-gi and gir1.2-gst-rtsp-server-1.0).
"""
import argparse
import ctypes
import json
import os
import signal
import sys
import threading
import time

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

import clock_frames  # noqa: E402  (beside this script, which is on sys.path)

TICK_MS = 5
# After a stall longer than this (SIGSTOP, overload) skip ahead instead of bursting the backlog.
MAX_LAG_NS = Gst.SECOND


class Clip:
    """The clip's H.264 access units (avc, one per buffer), their caps and per-frame durations."""

    def __init__(self, path):
        pipeline = Gst.parse_launch(
            'filesrc name=src ! qtdemux ! h264parse ! '
            'video/x-h264,stream-format=avc,alignment=au ! appsink name=sink sync=false'
        )
        pipeline.get_by_name('src').set_property('location', path)
        sink = pipeline.get_by_name('sink')
        pipeline.set_state(Gst.State.PLAYING)
        self.frames = []
        self.caps = None
        while True:
            sample = sink.emit('pull-sample')
            if sample is None:
                break
            self.caps = sample.get_caps()
            self.frames.append(sample.get_buffer())
        message = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
        pipeline.set_state(Gst.State.NULL)
        if message is not None:
            error, _ = message.parse_error()
            raise RuntimeError(f'cannot read clip {path}: {error.message}')
        if not self.frames or self.caps is None:
            raise RuntimeError(f'clip {path} has no H.264 frames')
        if self.frames[0].has_flags(Gst.BufferFlags.DELTA_UNIT):
            raise RuntimeError(f'clip {path} does not start with a key frame')
        default = Gst.SECOND // 25
        pts = [f.pts for f in self.frames]
        self.durations = []
        for i, frame in enumerate(self.frames):
            if i + 1 < len(pts) and pts[i + 1] > pts[i]:
                self.durations.append(pts[i + 1] - pts[i])
            elif frame.duration != Gst.CLOCK_TIME_NONE and frame.duration > 0:
                self.durations.append(frame.duration)
            else:
                self.durations.append(default)
        self.keys = [not f.has_flags(Gst.BufferFlags.DELTA_UNIT) for f in self.frames]


class Feeder:
    """Feeds one media's appsrc: frame i of loop k is due at start + k*clip_length + offset(i)."""

    def __init__(self, clip, appsrc):
        self.clip = clip
        self.appsrc = appsrc
        self.index = 0
        self.due = None
        self.need_key = False

    def tick(self, now):
        if self.due is None:
            self.due = now
        if now - self.due > MAX_LAG_NS:
            self.due = now
            self.need_key = True
        playing = self.appsrc.current_state == Gst.State.PLAYING
        base = self.appsrc.get_base_time()
        while self.due <= now:
            i = self.index
            if not playing:
                self.need_key = True
            elif self.need_key and not self.clip.keys[i]:
                pass  # a stream must resume on a key frame to stay decodable
            else:
                self.need_key = False
                buf = self.clip.frames[i].copy()  # shares the memory; only the metadata is new
                buf.pts = buf.dts = self.due - base if self.due > base else 0
                buf.duration = self.clip.durations[i]
                self.appsrc.emit('push-buffer', buf)
            self.due += self.clip.durations[i]
            self.index = (i + 1) % len(self.clip.frames)


class ClockFeeder:
    """Feeds one media's raw appsrc: a frame every 1/FPS s, drawn with the wall-clock time it is due at."""

    def __init__(self, appsrc):
        self.appsrc = appsrc
        self.frames = clock_frames.ClockFrames()
        self.interval = Gst.SECOND // clock_frames.FPS
        self.due = None

    def tick(self, now):
        if self.due is None or now - self.due > MAX_LAG_NS:
            self.due = now
        if self.appsrc.current_state != Gst.State.PLAYING:
            self.due = now + self.interval
            return
        base = self.appsrc.get_base_time()
        # The main-loop clock is monotonic; the wall time of a due instant is now's wall time minus the lag.
        wall_now_ns = time.time_ns()
        while self.due <= now:
            epoch_ms = (wall_now_ns - (now - self.due)) // 1_000_000
            buf = Gst.Buffer.new_wrapped(self.frames.frame(epoch_ms))
            buf.pts = buf.dts = self.due - base if self.due > base else 0
            buf.duration = self.interval
            self.appsrc.emit('push-buffer', buf)
            self.due += self.interval


class Feeders:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = set()
        self.clock = Gst.SystemClock.obtain()

    def add(self, feeder):
        with self.lock:
            self.items.add(feeder)

    def remove(self, feeder):
        with self.lock:
            self.items.discard(feeder)

    def tick(self):
        with self.lock:
            items = list(self.items)
        now = self.clock.get_time()
        for feeder in items:
            feeder.tick(now)
        return True


def make_factory(clip, feeders, with_auth):
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        '( appsrc name=src is-live=true format=time do-timestamp=false min-latency=20000000 '
        'max-bytes=8000000 ! rtph264pay name=pay0 pt=96 config-interval=-1 )'
    )
    factory.set_shared(True)
    if with_auth:
        factory.add_role_from_structure(Gst.Structure.new_from_string(
            'user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true'))

    def on_configure(_factory, media):
        appsrc = media.get_element().get_child_by_name('src')
        appsrc.set_property('caps', clip.caps)
        feeder = Feeder(clip, appsrc)
        feeders.add(feeder)
        media.connect('unprepared', lambda _m: feeders.remove(feeder))

    factory.connect('media-configure', on_configure)
    return factory


def make_clock_factory(feeders, with_auth):
    factory = GstRtspServer.RTSPMediaFactory()
    # 1 Mbit/s and a key frame a second, as the clip mode's streams (the relay and recorder expect that GOP).
    factory.set_launch(
        '( appsrc name=src is-live=true format=time do-timestamp=false min-latency=0 max-bytes=8000000 ! '
        f'openh264enc bitrate=1000000 gop-size={clock_frames.FPS} rate-control=bitrate complexity=low ! '
        'h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )'
    )
    factory.set_shared(True)
    if with_auth:
        factory.add_role_from_structure(Gst.Structure.new_from_string(
            'user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true'))
    caps = Gst.Caps.from_string(
        f'video/x-raw,format=I420,width={clock_frames.WIDTH},height={clock_frames.HEIGHT},framerate={clock_frames.FPS}/1')

    def on_configure(_factory, media):
        appsrc = media.get_element().get_child_by_name('src')
        appsrc.set_property('caps', caps)
        feeder = ClockFeeder(appsrc)
        feeders.add(feeder)
        media.connect('unprepared', lambda _m: feeders.remove(feeder))

    factory.connect('media-configure', on_configure)
    return factory


def offer_basic_and_digest(auth):
    # The GIR declares GstRTSPAuthMethod as an enum, so PyGObject refuses BASIC|DIGEST; call the C API.
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    lib = ctypes.CDLL('libgstrtspserver-1.0.so.0')
    lib.gst_rtsp_auth_set_supported_methods.argtypes = [ctypes.c_void_p, ctypes.c_int]
    both = int(GstRtsp.RTSPAuthMethod.BASIC) | int(GstRtsp.RTSPAuthMethod.DIGEST)
    lib.gst_rtsp_auth_set_supported_methods(get_pointer(auth.__gpointer__, None), both)


def die_with_parent():
    # If the Node parent is SIGKILLed, take this server with it (Linux prctl PR_SET_PDEATHSIG).
    try:
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--clip', help='an MP4 with one H.264 track starting on a key frame, looped')
    source.add_argument('--clock', action='store_true', help='frames carrying their wall-clock time (clock_frames.py)')
    parser.add_argument('--port', type=int, default=0, help='0 = any free port (reported on stdout)')
    parser.add_argument('--mount', action='append', required=True, help='e.g. /cam1; repeat for more')
    parser.add_argument('--username')
    args = parser.parse_args()
    die_with_parent()
    Gst.init(None)

    clip = None if args.clock else Clip(args.clip)
    feeders = Feeders()
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service(str(args.port))
    # The password comes from the environment so it does not show in process listings.
    password = os.environ.get('SIM_RTSP_PASSWORD', '')
    with_auth = bool(args.username)
    if with_auth:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string('media.factory.role', 'user')
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.username, password), token)
        auth.add_digest(args.username, password, token)
        offer_basic_and_digest(auth)
        server.set_auth(auth)
    mounts = server.get_mount_points()
    for mount in args.mount:
        factory = make_clock_factory(feeders, with_auth) if args.clock else make_factory(clip, feeders, with_auth)
        mounts.add_factory(mount if mount.startswith('/') else '/' + mount, factory)

    # One line per PLAY (a client's session starting), so tests can count sessions per camera over time.
    def on_play(_client, ctx):
        print(json.dumps({'play': ctx.uri.abspath if ctx.uri else None}), flush=True)

    server.connect('client-connected', lambda _server, client: client.connect('play-request', on_play))

    if server.attach(None) == 0:
        print(json.dumps({'error': f'cannot listen on 127.0.0.1:{args.port}'}), flush=True)
        sys.exit(2)
    GLib.timeout_add(TICK_MS, feeders.tick)
    # Sessions of clients that vanished without TEARDOWN are reaped by the server's session pool.
    GLib.timeout_add_seconds(2, lambda: server.get_session_pool().cleanup() >= 0)

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)
    print(json.dumps({'ready': True, 'port': server.get_bound_port(), 'frames': len(clip.frames) if clip else None,
                      'mounts': len(args.mount)}), flush=True)
    loop.run()


if __name__ == '__main__':
    main()
