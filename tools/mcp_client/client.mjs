// An MCP client independent of grove-mcp's own SDK: the official TypeScript SDK's Client over
// stdio. tests/packaging/test_uvx_wheel.py runs it against `uvx --from <wheel> grove-mcp --demo`.
//
//   node client.mjs [--call TOOL JSON_ARGS] -- COMMAND [ARG...]
//
// It starts COMMAND as the server (with this process's environment), initializes, lists the
// tools and prompts, calls grove_status (or TOOL) and prints one JSON object on stdout: what
// the server said, for the test to judge. The SDK itself checks the structured content
// against the tool's output schema. Any failure exits non-zero with the reason on stderr.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";

const REQUEST_TIMEOUT_MS = 60_000;

function parseArgs(argv) {
  const split = argv.indexOf("--");
  if (split < 0 || split === argv.length - 1) {
    throw new Error("usage: node client.mjs [--call TOOL JSON_ARGS] -- COMMAND [ARG...]");
  }
  const options = argv.slice(0, split);
  const [command, ...args] = argv.slice(split + 1);
  let tool = "grove_status";
  let toolArgs = { name: "my-inference" };
  for (let i = 0; i < options.length; i++) {
    if (options[i] === "--call") {
      tool = options[i + 1];
      toolArgs = JSON.parse(options[i + 2]);
      i += 2;
    } else {
      throw new Error(`unknown option ${options[i]}`);
    }
  }
  return { command, args, tool, toolArgs };
}

async function main() {
  const { command, args, tool, toolArgs } = parseArgs(process.argv.slice(2));
  const transport = new StdioClientTransport({
    command,
    args,
    env: Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)),
    stderr: "inherit",
  });
  // The Client hands the negotiated revision to a transport that takes one (HTTP sends it as a
  // header); stdio has no use for it, so keep it here to report it.
  let negotiated = null;
  transport.setProtocolVersion = (version) => {
    negotiated = version;
  };
  const client = new Client({ name: "grove-mcp-packaging-test", version: "0.0.0" });
  const options = { timeout: REQUEST_TIMEOUT_MS };
  await client.connect(transport, options);
  try {
    const tools = await client.listTools(undefined, options);
    const prompts = await client.listPrompts(undefined, options);
    const result = await client.callTool({ name: tool, arguments: toolArgs }, undefined, options);
    const report = {
      sdkProtocolVersion: LATEST_PROTOCOL_VERSION,
      negotiatedProtocolVersion: negotiated,
      serverInfo: client.getServerVersion(),
      capabilities: client.getServerCapabilities(),
      tools: tools.tools.map((t) => ({
        name: t.name,
        hasOutputSchema: t.outputSchema !== undefined,
        readOnlyHint: t.annotations?.readOnlyHint ?? null,
      })),
      prompts: prompts.prompts.map((p) => p.name),
      call: {
        tool,
        isError: result.isError ?? false,
        structuredContent: result.structuredContent ?? null,
        text: (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text),
      },
    };
    process.stdout.write(JSON.stringify(report) + "\n");
  } finally {
    await client.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`mcp client: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
