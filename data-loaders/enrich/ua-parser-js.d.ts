// The slice of ua-parser-js 1.x (MIT) that user-agent.ts uses; 1.x ships no types of its own.
// Stay on 1.x: from 2.0 the package is AGPL-3.0.
declare module "ua-parser-js" {
  interface UAParserBrowser {
    name?: string;
    version?: string;
    /** The version's leading number, digits only. */
    major?: string;
  }
  interface UAParserOS {
    name?: string;
    version?: string;
  }
  interface UAParserDevice {
    /** console, mobile, tablet, smarttv, wearable or embedded; undefined for desktops and the unknown. */
    type?: string;
    vendor?: string;
    model?: string;
  }
  class UAParser {
    constructor(userAgent?: string);
    setUA(userAgent: string): this;
    getBrowser(): UAParserBrowser;
    getOS(): UAParserOS;
    getDevice(): UAParserDevice;
  }
  export = UAParser;
}
