/** The assembler's public face: assemble text, build with the DSL, link, write and read ELF, disassemble. */
export { AsmError, AsmErrors, type SourcePos } from './errors.js';
export { Program, type LinkOptions, type ProgramOptions, liSequence } from './program.js';
export { parseAssembly, type TextOptions } from './text/parser.js';
export { type Image, type ImageSection, type ImageSymbol } from './image.js';
export { writeElf, archString } from './elf/writer.js';
export { readElf, isElf, ElfError, type ElfFile, type ElfSymbol } from './elf/reader.js';
export { encode, decode, insnLength, EncodeError, type Decoded } from './codec.js';
export { Disassembler, disassembleOne, type Symbolizer } from './disassemble.js';

import type { Image } from './image.js';
import type { LinkOptions } from './program.js';
import { parseAssembly, type TextOptions } from './text/parser.js';

/** Assemble GNU-syntax text and link it. */
export function assemble(source: string, options: TextOptions & LinkOptions = {}): Image {
  return parseAssembly(source, options).link(options);
}
