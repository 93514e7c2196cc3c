// Drives Upskill's xAPI receiver with @xapi/xapi (npm), a client nobody here wrote.
// Usage: node xapi_js_client.cjs <endpoint> <api key> <step IRI>; prints one JSON object.
const xapiModule = require("@xapi/xapi");

const XAPI = xapiModule.default || xapiModule;
const [endpoint, key, stepIri] = process.argv.slice(2);
const xapi = new XAPI({ endpoint, auth: XAPI.toBasicAuth("lms", key), version: "1.0.3" });
const actor = { objectType: "Agent", mbox: "mailto:ana@example.com" };
const statement = {
  actor,
  verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } },
  object: { objectType: "Activity", id: stepIri },
  result: { duration: "PT30M", completion: true },
};

async function main() {
  const about = await xapi.getAbout();
  const single = await xapi.sendStatement({ statement });
  const readBack = await xapi.getStatement({ statementId: single.data[0] });
  const batch = await xapi.sendStatements({ statements: [statement, statement] });
  await xapi.voidStatement({ actor, statementId: batch.data[1] });
  const voided = await xapi.getVoidedStatement({ voidedStatementId: batch.data[1] });
  console.log(
    JSON.stringify({
      about: about.data,
      single: single.data,
      readBack: readBack.data,
      batch: batch.data,
      voided: voided.data,
      versionHeader: about.headers["x-experience-api-version"],
    }),
  );
}

main().catch((error) => {
  const response = error.response;
  console.error(response ? `${response.status} ${JSON.stringify(response.data)}` : error.stack);
  process.exit(1);
});
