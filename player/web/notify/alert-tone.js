// The alert sound, made with WebAudio (no audio file to ship): two short rising tones, repeated once.
// Browsers start an AudioContext only after a user gesture, so it is created (or resumed) by the click that
// turns the sound on or by the first click anywhere afterwards; until then play() reports false.
export class AlertTone {
  constructor() {
    this.context = null;
    this.played = 0;
  }

  /** Call from a user gesture: creates or resumes the audio context. */
  unlock() {
    const Context = window.AudioContext ?? window.webkitAudioContext;
    if (!Context) return false;
    this.context ??= new Context();
    if (this.context.state === 'suspended') this.context.resume().catch(() => {});
    return true;
  }

  /** Plays the tone; true when it was scheduled on a running audio context. */
  play() {
    const ctx = this.context;
    if (!ctx || ctx.state !== 'running') return false;
    const start = ctx.currentTime + 0.02;
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    gain.gain.setValueAtTime(0, start);
    [[880, 0], [1175, 0.18], [880, 0.45], [1175, 0.63]].forEach(([frequency, offset]) => {
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(frequency, start + offset);
      osc.connect(gain);
      gain.gain.setTargetAtTime(0.25, start + offset, 0.01);
      gain.gain.setTargetAtTime(0, start + offset + 0.14, 0.02);
      osc.start(start + offset);
      osc.stop(start + offset + 0.2);
    });
    this.played += 1;
    return true;
  }

  close() {
    this.context?.close().catch(() => {});
    this.context = null;
  }
}
