// Where the acquisitions' workspace is, apart from the Daxfile loader: `dax queue` and `dax abort`
// resolve it without loading the YAML parser.
import path from 'node:path';

/** The workspace: relative to $DATAROOT when set, else to the project (default `workspace`). */
export function workspaceDir(fromDaxfile: string | undefined, dataRoot: string | undefined, projectDir: string): string {
  const base = dataRoot !== undefined && dataRoot !== '' ? path.resolve(projectDir, dataRoot) : projectDir;
  return path.resolve(base, fromDaxfile ?? 'workspace');
}
