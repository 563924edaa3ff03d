import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface ScanResult {
  bytes: number;
  clean: boolean;
}

/** Checks uploaded attachments: each upload goes to a temporary file that the scanner reads. */
export class FileService {
  private readonly openFiles = new Set<{ handle: FileHandle; path: string }>();

  constructor(private readonly tempDir: string) {
    mkdirSync(tempDir, { recursive: true });
  }

  /** Writes the upload to a temporary file and scans it. */
  async scan(upload: Buffer): Promise<ScanResult> {
    const path = join(this.tempDir, `upload-${randomUUID()}.tmp`);
    const handle = await open(path, 'w');
    this.openFiles.add({ handle, path }); // so shutdown can close what is still open
    await handle.write(upload);
    const written = await readFile(path);
    return { bytes: written.length, clean: !written.includes('EICAR') };
  }

  /** Closes whatever is still open (shutdown). */
  async closeAll(): Promise<void> {
    for (const file of this.openFiles) await file.handle.close().catch(() => undefined);
    this.openFiles.clear();
  }

  /** Files currently open (for /stats). */
  openCount(): number {
    return this.openFiles.size;
  }
}
