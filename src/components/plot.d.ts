// Types for the module scripts/bundle-libraries.ts generates: Observable Plot's exports.
export * from "@observablehq/plot";
