// The one rule for names that must stay inside a folder: manifest file paths (browser and Node
// model stores) and file names the converter downloads. A name is checked as written AND after
// percent-decoding, because URL resolution turns `%2e%2e/` into `../` while a plain string check
// does not.

/** Characters that change how a URL or a path is resolved, or that no file name needs. */
const FORBIDDEN = /[\\?#\u0000-\u001f\u007f]/;

function segmentsProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (FORBIDDEN.test(name)) return "contains '\\', '?', '#' or a control character";
  if (name.startsWith('/')) return "starts with '/' (an absolute path)";
  // A scheme (https:, file:, data:) or a Windows drive (C:) would leave the folder.
  if (/^[a-z][a-z0-9+.-]*:/i.test(name)) return 'starts with a URL scheme or drive letter';
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return "has an empty, '.' or '..' segment";
  }
  return null;
}

/**
 * Why `name` does not name a file inside its folder, or null when it does. Checked raw and after
 * each round of percent-decoding (double-encoded `%252e` included), so no spelling of `..` passes.
 */
export function containedPathProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'is not a string';
  let current = name;
  for (let round = 0; round < 4; round++) {
    const problem = segmentsProblem(current);
    if (problem) return round === 0 ? problem : `${problem} once percent-decoded (${JSON.stringify(current)})`;
    if (!current.includes('%')) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return 'has a malformed percent-escape';
    }
    if (decoded === current) return null;
    current = decoded;
  }
  return 'is percent-encoded more than three times';
}

/** Whether `child` (an absolute URL) lies under the folder of `base` (an absolute URL). */
export function urlIsInsideFolder(child: string, base: string): boolean {
  const folder = new URL('./', base);
  const target = new URL(child);
  return target.protocol === folder.protocol && target.host === folder.host && target.pathname.startsWith(folder.pathname) && target.search === '' && target.hash === '';
}
