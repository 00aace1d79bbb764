# HueGrains: one image for every role (all, silo, api) and the `migrate` step.
# docker build -t huegrains .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig HueGrains.sln ./
COPY grains/ grains/
COPY client-api/ client-api/
COPY silo/ silo/
COPY bench/HueGrains.Simulator/ bench/HueGrains.Simulator/
COPY deploy/sql/ deploy/sql/
RUN dotnet publish silo/HueGrains.Silo.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Listen on every interface inside the container; the silo advertises Hue__Orleans__Address (the pod IP in Kubernetes).
ENV Hue__Http__Host=0.0.0.0 \
    Hue__Http__Port=5080 \
    Hue__Mqtt__Host=0.0.0.0 \
    Hue__Mqtt__Port=1883 \
    Hue__Orleans__SiloPort=11111 \
    Hue__Orleans__GatewayPort=30000
EXPOSE 5080 1883 11111 30000
USER $APP_UID
ENTRYPOINT ["dotnet", "HueGrains.Silo.dll"]
