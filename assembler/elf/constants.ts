/** ELF64 constants used by the writer and the reader (System V gABI; RISC-V psABI for e_flags). */

export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ET_EXEC = 2;
export const EM_RISCV = 243;
export const EF_RISCV_RVC = 0x1;

export const PT_LOAD = 1;
export const PF_X = 1, PF_W = 2, PF_R = 4;

export const SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8;
export const SHT_RISCV_ATTRIBUTES = 0x70000003;
export const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
export const SHN_UNDEF = 0, SHN_ABS = 0xfff1;

export const STB_LOCAL = 0, STB_GLOBAL = 1;
export const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;

export const EHDR_SIZE = 64, PHDR_SIZE = 56, SHDR_SIZE = 64, SYM_SIZE = 24;
