/** A classroom template that cannot be made as asked; the message is one line for the user. */
export class ClassroomError extends Error {
  override name = 'ClassroomError';
}

/** A progress export that the class report cannot use; names the file and what is wrong. */
export class ProgressExportError extends Error {
  override name = 'ProgressExportError';

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
