#!/usr/bin/env bash
# Regenerates clients/openapi/v1.json (the document the API serves) and HueGrains.Client (Kiota) from it.
# Starts nothing external: the document comes from the in-process test host (ApiFixture, memory mode), the very
# document the drift test (OpenApiDocumentTests) compares with the committed one; Kiota runs offline (no update check).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore >/dev/null
dotnet build tests/HueGrains.Tests -nologo -clp:ErrorsOnly
HUE_WRITE_OPENAPI=1 dotnet test tests/HueGrains.Tests --no-build --nologo \
  --filter "FullyQualifiedName~OpenApiDocumentTests.The_served_document_is_the_committed_one_the_client_was_generated_from"

KIOTA_UPDATE_DISABLED=true KIOTA_OFFLINE_ENABLED=true dotnet kiota generate --language CSharp --openapi clients/openapi/v1.json \
  --output clients/HueGrains.Client/Generated --class-name HueApiClient --namespace-name HueGrains.Client \
  --exclude-backward-compatible --clean-output --log-level Warning
dotnet build clients/HueGrains.Client -nologo -clp:ErrorsOnly
echo "Regenerated clients/openapi/v1.json and clients/HueGrains.Client/Generated: review and commit both."
