/** Small display helpers of the catalogue views. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "Moreau, Anna; Rossi, Luca et al." */
export function creatorsLine(names: string[], max = 3): string {
  if (names.length <= max) {
    return names.join('; ');
  }
  return `${names.slice(0, max).join('; ')} et al.`;
}
