// Types for the module scripts/bundle-libraries.ts generates: d3-cloud's layout.
export {default} from "d3-cloud";
