// Types for the module scripts/bundle-libraries.ts generates: the contracts in data-loaders/contracts/.
export * from "../../data-loaders/contracts/index.js";
