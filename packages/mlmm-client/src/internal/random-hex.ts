/** `length` lower-case hex characters drawn from `random` (a source of floats in [0, 1)). */
export function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += Math.floor(random() * 16).toString(16);
  return out;
}
