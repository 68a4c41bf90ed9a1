// The CloudWatch Logs source connector names topics `${log-group}.${log-stream}`. A log stream
// (an EC2 instance id here) has no dots; a log group may, so the split is at the last dot.

export function splitTopicName(topic: string): {log_group: string | null; log_stream: string | null} {
  const dot = topic.lastIndexOf(".");
  if (dot <= 0 || dot === topic.length - 1) return {log_group: topic === "" ? null : topic, log_stream: null};
  return {log_group: topic.slice(0, dot), log_stream: topic.slice(dot + 1)};
}
