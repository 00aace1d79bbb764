using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HueGrains.Simulator;

/// <summary>
/// A small live city for demos (<c>--demo</c>): three sensors in every commune reporting every few seconds, and a few
/// simulated citizens filing dossiers and reports that officials then handle. All data is made up.
/// </summary>
public sealed partial class CitySimulator(IGrainFactory grains, ILogger<CitySimulator> log) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    private readonly Random _random = new(1675);
    private readonly Dictionary<string, double> _waterLevels = [];
    private readonly Dictionary<string, double> _pm25 = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ProvisionAsync(stoppingToken);
            await FileCitizenWorkAsync(stoppingToken);
            LogStarted(log, CityMap.Communes.Count * 3);
            using var timer = new PeriodicTimer(Tick);
            do
            {
                await ReportAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProvisionAsync(CancellationToken ct)
    {
        foreach (var commune in CityMap.Communes)
        {
            var (lat, lon) = (16.46 + _random.NextDouble() * 0.2 - 0.1, 107.59 + _random.NextDouble() * 0.2 - 0.1);
            await grains.Sensor($"sim-{commune.Code}-water").Provision(new SensorSpec(SensorKind.WaterLevel, "m", commune.Code, lat, lon), ct);
            await grains.Sensor($"sim-{commune.Code}-pm25").Provision(new SensorSpec(SensorKind.Pm25, "µg/m³", commune.Code, lat, lon), ct);
            await grains.Sensor($"sim-{commune.Code}-temp").Provision(new SensorSpec(SensorKind.Temperature, "°C", commune.Code, lat, lon), ct);
            _waterLevels[commune.Code] = 0.3 + _random.NextDouble() * 1.4;
            _pm25[commune.Code] = 15 + _random.NextDouble() * 40;
        }
    }

    private async Task ReportAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var sends = new List<Task>();
        foreach (var commune in CityMap.Communes)
        {
            var level = _waterLevels[commune.Code] = Math.Clamp(_waterLevels[commune.Code] + (_random.NextDouble() - 0.5) * 0.2, 0.1, 3.8);
            sends.Add(Send($"sim-{commune.Code}-water", now, Math.Round(level, 2), ct));
            var pm25 = _pm25[commune.Code] = Math.Clamp(_pm25[commune.Code] + (_random.NextDouble() - 0.5) * 4, 5, 120);
            sends.Add(Send($"sim-{commune.Code}-pm25", now, Math.Round(pm25, 1), ct));
            sends.Add(Send($"sim-{commune.Code}-temp", now, Math.Round(24 + _random.NextDouble() * 9, 1), ct));
        }
        await Task.WhenAll(sends);
    }

    private Task<IngestResult> Send(string sensor, DateTimeOffset at, double value, CancellationToken ct) =>
        grains.Sensor(sensor).Ingest([new Reading(at, value)], null, ct: ct);

    private async Task FileCitizenWorkAsync(CancellationToken ct)
    {
        var communes = CityMap.Communes;
        for (var i = 0; i < 24; i++)
        {
            var home = communes[i % communes.Count].Code;
            var citizenId = Keys.NewCitizenId();
            // Made-up people: the ID starts with 046 (Huế's province code) and is otherwise random.
            var profile = new CitizenProfile($"Công dân mô phỏng {i + 1}", new DateOnly(1960 + i, 1 + i % 12, 1 + i % 28),
                $"046{_random.NextInt64(100_000_000, 999_999_999)}", $"09{_random.Next(10_000_000, 99_999_999)}", home);
            await grains.GetGrain<ICitizenGrain>(citizenId).Register(profile, ct: ct);
            var citizen = new Actor(Roles.Citizen, CitizenId: citizenId);
            var official = new Actor(Roles.Official, Commune: home);

            var caseGrain = grains.GetGrain<ICaseGrain>(Keys.NewCaseId());
            await caseGrain.File(new CaseFiling("temporary-residence", citizenId, null,
                new Dictionary<string, string> { ["address"] = $"{i + 1} Lê Lợi", ["stayUntil"] = "2027-12-31" }), citizen, ct);
            if (i % 3 == 0) await caseGrain.ChangeStatus(CaseStatus.Processing, null, official, ct);
            if (i % 6 == 0)
            {
                await caseGrain.ChangeStatus(CaseStatus.ReadyToReturn, null, official, ct);
                await caseGrain.ChangeStatus(CaseStatus.Returned, null, official, ct);
            }

            var feedback = grains.GetGrain<IFeedbackGrain>(Keys.NewFeedbackId());
            await feedback.Submit(new FeedbackReport((FeedbackCategory)(i % 6), "Đèn đường bị hỏng / Broken street light", home, null, null, null), citizenId, ct: ct);
            if (i % 2 == 0)
            {
                await feedback.ChangeStatus(FeedbackStatus.Resolved, "Đã sửa xong / Repaired", official, ct);
                await feedback.Rate(3 + i % 3, citizen, ct);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "City simulator running: {Sensors} sensors reporting every 5 s")]
    private static partial void LogStarted(ILogger log, int sensors);
}
