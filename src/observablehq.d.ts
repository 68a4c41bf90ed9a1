// Types for the Framework built-ins our TypeScript components import.
declare module "observablehq:stdlib" {
  export interface FileAttachmentHandle {
    readonly name: string;
    readonly mimeType: string;
    readonly size: number;
    url(): Promise<string>;
    json(): Promise<unknown>;
    /** The file's URL relative to the page (Framework sets it at build time). */
    readonly href: string;
  }
  export function FileAttachment(name: string): FileAttachmentHandle;
}

// Observable Inputs (no types of its own), bundled by Framework from node_modules. Only what the components use.
declare module "@observablehq/inputs" {
  interface InputOptions<T> {
    label?: string;
    value?: T;
    format?: (value: T) => string;
    disabled?: boolean;
    min?: string | Date;
    max?: string | Date;
    width?: number | string;
  }
  export type Input<T> = HTMLElement & {value: T};
  export function form<T extends Record<string, unknown>>(inputs: {[K in keyof T]: Input<T[K]>}, options?: {template?: (inputs: Record<string, HTMLElement>) => HTMLElement}): Input<T>;
  export function date(options?: InputOptions<Date | null>): Input<Date | null>;
  export function select<T>(values: readonly T[], options?: InputOptions<T>): Input<T>;
  export function radio<T>(values: readonly T[], options?: InputOptions<T>): Input<T>;
  export function checkbox<T>(values: readonly T[], options?: InputOptions<T[]>): Input<T[]>;
  export function textarea(options?: InputOptions<string> & {rows?: number; submit?: boolean | string; spellcheck?: boolean; monospace?: boolean; placeholder?: string}): Input<string>;
  export function table(data: readonly object[], options?: {columns?: string[]; rows?: number; maxWidth?: number; layout?: string; select?: boolean; format?: Record<string, (value: unknown) => string | Node>}): HTMLElement;
  export function button(content: string | Node, options?: {reduce?: () => void}): HTMLElement;
}
