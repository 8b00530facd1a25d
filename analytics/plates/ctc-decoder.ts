/** Text read by the recogniser, one confidence per character. */
export interface DecodedText {
  text: string;
  charConfidences: number[];
}

/**
 * Greedy CTC over softmax scores [T, classes]: best class per step, collapse repeats, drop blanks (0).
 * Index i ≥ 1 is characters[i - 1]. A character's confidence is its best step probability.
 * `skip` lists characters that are never part of the output (the recogniser reads the plate's
 * separator dot as `·`, and a space may appear between rows).
 */
export function decodeCtcGreedy(
  scores: Float32Array, offset: number, steps: number, classes: number, characters: readonly string[], skip: ReadonlySet<string>,
): DecodedText {
  let text = '';
  const charConfidences: number[] = [];
  let previous = 0;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestScore = scores[row];
    for (let c = 1; c < classes; c++) {
      const s = scores[row + c];
      if (s > bestScore) { bestScore = s; best = c; }
    }
    if (best !== 0 && best === previous) {
      // Same character held over several steps: keep its most confident step.
      if (charConfidences.length > 0 && !skip.has(characters[best - 1])) {
        const last = charConfidences.length - 1;
        charConfidences[last] = Math.max(charConfidences[last], bestScore);
      }
    } else if (best !== 0) {
      const char = characters[best - 1] ?? '';
      if (char !== '' && !skip.has(char)) {
        text += char;
        charConfidences.push(bestScore);
      }
    }
    previous = best;
  }
  return { text, charConfidences };
}
