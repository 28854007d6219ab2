/** ELF constants the tools need, re-exported from the assembler's ELF module. */
import { SHF_EXECINSTR, STT_SECTION } from '../assembler/elf/constants.js';
export { SHF_EXECINSTR };
const STT_FILE = 4;
export const STT_FILE_OR_SECTION = new Set([STT_SECTION, STT_FILE]);
