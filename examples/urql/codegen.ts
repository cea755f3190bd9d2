import { addTypenameSelectionDocumentTransform, type ClientPresetConfig } from "@graphql-codegen/client-preset";
import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Typed documents and the persisted documents manifest (`src/gql/persisted-documents.json`) for
 * this app: `npx graphql-codegen --config codegen.ts`. In your app, point `schema` at the client
 * package's copy (`node_modules/@federated-ai-graph/client/dist/schema.graphql`) or at the gateway.
 */
const config: CodegenConfig = {
  schema: "../../schema/api.graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  emitLegacyCommonJSImports: false,
  generates: {
    "src/gql/": {
      preset: "client",
      // urql's cache adds `__typename` to every selection before sending: add it here too, so the
      // documents it sends are the manifest's documents.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      presetConfig: { fragmentMasking: false, persistedDocuments: true } satisfies ClientPresetConfig,
      config: { enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: "string" } },
    },
  },
};

export default config;
