// Usage: node datadog-client.js <base-url> <api-key> <application-key>
// Exercises Datadog's official client against Vigil and prints one JSON line of what it saw;
// the xunit test (Portal.Web.Tests, DatadogClientCompatibilityTests) asserts on it.
const { client, v2 } = require("@datadog/datadog-api-client");

const [base, apiKey, appKey] = process.argv.slice(2);
const configuration = client.createConfiguration({
  baseServer: new client.BaseServerConfiguration(base, {}),
  authMethods: { apiKeyAuth: apiKey, appKeyAuth: appKey },
});
const logs = new v2.LogsApi(configuration);
const security = new v2.SecurityMonitoringApi(configuration);

(async () => {
  const marker = `compat${Date.now()}`;
  const submitted = await logs.submitLog({
    body: [
      { ddsource: "nodejs", ddtags: "env:compat", hostname: "client-1", service: "compat", message: `hello ${marker}` },
      { ddsource: "sshd", hostname: "bastion-9", service: "sshd", message: `Failed password for root from 198.51.100.99 port 4242 ssh2 ${marker}` },
    ],
  });
  let listed;
  for (let attempt = 0; attempt < 20; attempt++) {
    listed = await logs.listLogs({ body: { filter: { query: marker, from: "now-15m", to: "now" }, page: { limit: 10 }, sort: "-timestamp" } });
    if (listed.data.length >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const got = await logs.listLogsGet({ filterQuery: `service:compat ${marker}`, pageLimit: 5 });
  const aggregated = await logs.aggregateLogs({
    body: { compute: [{ aggregation: "count" }], filter: { query: marker, from: "now-15m", to: "now" }, groupBy: [{ facet: "service" }] },
  });
  const byService = Object.fromEntries(aggregated.data.buckets.map((b) => [b.by.service, b.computes.c0]));
  // Grouped by an attribute with a missing value and a total group, sorted alphabetically, with a timeseries.
  const measured = await logs.aggregateLogs({
    body: {
      compute: [{ aggregation: "count" }, { aggregation: "cardinality", metric: "host" }, { aggregation: "count", type: "timeseries", interval: "5m" }],
      filter: { query: marker, from: "now-15m", to: "now" },
      groupBy: [{ facet: "@network.client.ip", missing: "none", total: "all", sort: { type: "alphabetical", order: "desc" } }],
    },
  });
  const byAddress = measured.data.buckets.map((b) => [b.by["@network.client.ip"], b.computes.c0, b.computes.c1, b.computes.c2.reduce((sum, p) => sum + p.value, 0)]);
  const sshd = listed.data.find((l) => l.attributes.service === "sshd");
  // The client's own paginator, a log a page: it pages on until meta.page.after is absent (at most 10 pages here).
  let paged = 0;
  for await (const log of logs.listLogsWithPagination({ body: { filter: { query: marker, from: "now-15m", to: "now" }, page: { limit: 1 } } })) {
    if (log.attributes.message.includes(marker)) paged++;
    if (paged > 10) break;
  }
  // The organisation's signals, searched and triaged.
  const signals = await security.searchSecurityMonitoringSignals({
    body: { filter: { query: "*", from: new Date(Date.now() - 86400000), to: new Date() }, page: { limit: 10 }, sort: "-timestamp" },
  });
  const triaged = signals.data.length === 0 ? null : await security.editSecurityMonitoringSignalState({
    signalId: signals.data[0].id,
    body: { data: { attributes: { state: "archived", archiveReason: "true_positive_benign", archiveComment: marker } } },
  });
  console.log(JSON.stringify({
    submitted,
    listed: listed.data.length,
    timestampIsDate: listed.data[0]?.attributes?.timestamp instanceof Date,
    parsedIp: sshd?.attributes?.attributes?.network?.client?.ip ?? null,
    gotByGet: got.data.length,
    gotMessage: got.data[0]?.attributes?.message ?? null,
    byService,
    byAddress,
    paged,
    signals: signals.data.length,
    signalTitle: signals.data[0]?.attributes?.custom?.title ?? null,
    triaged: triaged ? [triaged.data.attributes.state, triaged.data.attributes.archiveReason, triaged.data.attributes.incidentIds.length] : null,
  }));
})().catch((e) => {
  console.error(`FAILED ${e.code ?? ""} ${e.body ? JSON.stringify(e.body) : e.message}`);
  process.exit(1);
});
