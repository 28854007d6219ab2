/** A linked program: sections at their addresses, symbols and the entry point. What ELF files hold. */

export type SectionKind = 'text' | 'data' | 'bss';

export interface ImageSection {
  readonly name: string;
  readonly kind: SectionKind;
  readonly addr: bigint;
  readonly size: number;
  /** Contents; empty for bss. */
  readonly data: Uint8Array;
  readonly align: number;
}

export interface ImageSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  /** Section name, or undefined for absolute symbols (.equ). */
  readonly section: string | undefined;
  readonly global: boolean;
  readonly type: 'func' | 'object' | 'none';
}

export interface Image {
  readonly entry: bigint;
  readonly sections: readonly ImageSection[];
  readonly symbols: readonly ImageSymbol[];
  /** Whether the code may contain compressed instructions (ELF flag EF_RISCV_RVC). */
  readonly rvc: boolean;
}
