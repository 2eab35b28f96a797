/** Compares dotted NetBackup versions numerically ("10.10" is after "10.4"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** 8.0 and earlier (8.0.x included) cannot speak the 8.1 secure protocol. */
export function isLegacy(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major < 8 || (major === 8 && minor === 0);
}

export function atLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}
