/** Small display helpers of the catalogue views. */

/** "Moreau, Anna; Rossi, Luca et al." */
export function creatorsLine(names: string[], max = 3): string {
  if (names.length <= max) {
    return names.join('; ');
  }
  return `${names.slice(0, max).join('; ')} et al.`;
}
