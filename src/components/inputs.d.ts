// Types for the module scripts/bundle-libraries.ts generates: Observable Inputs' exports.
export * from "@observablehq/inputs";
