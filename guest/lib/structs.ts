/**
 * Struct layouts declared once, the guest's `offsetof`: `struct('call_single_data', { list: LIST_HEAD,
 * func: 'ptr', info: 'ptr', flags: 'u32' })` gives `CSD.func` (an offset) and `CSD.$size`, laid out
 * with C's natural alignment on RV64. Guest code uses the names, never numeric offsets.
 */
export type Scalar = 'u32' | 'u64' | 'ptr';
/** A field: a scalar, or a nested struct (anything with a size and an alignment). */
export type FieldSpec = Scalar | { readonly $size: number; readonly $align: number };

export type Layout<F extends Record<string, FieldSpec>> = { readonly [K in keyof F]: number } & {
  readonly $name: string;
  readonly $size: number;
  readonly $align: number;
  /** The scalar width of each field in bytes (a nested struct's fields are reached through its own layout). */
  readonly $width: { readonly [K in keyof F]: number };
};

const SCALAR: Record<Scalar, number> = { u32: 4, u64: 8, ptr: 8 };

export function struct<F extends Record<string, FieldSpec>>(name: string, fields: F): Layout<F> {
  let offset = 0;
  let align = 1;
  const out: Record<string, unknown> = { $name: name };
  const width: Record<string, number> = {};
  for (const [field, spec] of Object.entries(fields)) {
    const size = typeof spec === 'string' ? SCALAR[spec as Scalar] : spec.$size;
    const a = typeof spec === 'string' ? SCALAR[spec as Scalar] : spec.$align;
    offset = Math.ceil(offset / a) * a;
    out[field] = offset;
    width[field] = size;
    offset += size;
    align = Math.max(align, a);
  }
  out.$size = Math.ceil(offset / align) * align;
  out.$align = align;
  out.$width = width;
  return out as Layout<F>;
}

/** struct list_head { next, prev } */
export const LIST_HEAD = struct('list_head', { next: 'ptr', prev: 'ptr' });
/** struct llist_node { next } / struct llist_head { first } */
export const LLIST_NODE = struct('llist_node', { next: 'ptr' });
export const LLIST_HEAD = struct('llist_head', { first: 'ptr' });
