// The request classes every event is put in (derive/request-class.ts says how) and the filter
// bar offers (src/components/event-filter.ts, through src/components/contracts.js).

export const REQUEST_CLASSES = ["page", "asset", "api", "other"] as const;
export type RequestClass = (typeof REQUEST_CLASSES)[number];

/** What each class is, in words, for the filter bar and captions. */
export const REQUEST_CLASS_LABELS: Record<RequestClass, string> = {page: "Pages", asset: "Assets", api: "API", other: "Other"};
