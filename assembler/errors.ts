/** Errors the assembler reports: a message and, when known, the source position it belongs to. */

export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export class AsmError extends Error {
  constructor(
    message: string,
    readonly pos?: SourcePos,
  ) {
    super(pos ? `${pos.file}:${pos.line}:${pos.col}: error: ${message}` : `error: ${message}`);
    this.name = 'AsmError';
  }

  /** The message without the position prefix. */
  get detail(): string {
    return this.message.replace(/^.*?error: /, '');
  }
}

/** Several errors at once: the text assembler keeps going after an error so that it can report them all. */
export class AsmErrors extends Error {
  constructor(readonly errors: readonly AsmError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'AsmErrors';
  }
}
