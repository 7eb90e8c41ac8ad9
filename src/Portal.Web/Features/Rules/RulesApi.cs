using Portal.Data.Identity;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Data.Rules;
using Portal.Detection.Evaluation;
using Portal.Detection.Intake;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Web.Features.Signals;
using Portal.Web.Features.Identity;
using Portal.Web.Features.Platform;

namespace Portal.Web.Features.Rules;

/// <summary>Datadog's rule endpoints under <c>/api/v2/security_monitoring/rules</c>.</summary>
public static class RulesApi
{
    /// <summary>Rules in a page of the list unless asked otherwise, as Datadog's.</summary>
    private const int DefaultPageSize = 10;

    /// <summary>The most rules a page of the list holds, as Datadog's.</summary>
    private const int MaxPageSize = 100;

    public static void MapRulesApi(this WebApplication app)
    {
        var group = app.MapGroup("/api/v2/security_monitoring/rules")
            .RequireAuthorization(IdentitySetup.ApiPolicy)
            .DisableAntiforgery()
            .WithTags("Rules");
        group.MapGet("/", ListAsync).WithName("ListRules").RequirePermission(Permission.RulesRead);
        group.MapPost("/", CreateAsync).WithName("CreateRule").RequirePermission(Permission.RulesWrite);
        group.MapGet("/{id}", GetAsync).WithName("GetRule").RequirePermission(Permission.RulesRead);
        group.MapPut("/{id}", UpdateAsync).WithName("UpdateRule").RequirePermission(Permission.RulesWrite);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteRule").RequirePermission(Permission.RulesWrite);
        group.MapPost("/validation", ValidateAsync).WithName("ValidateRule").RequirePermission(Permission.RulesRead);
        group.MapPost("/test", TestAsync).WithName("TestRule").RequirePermission(Permission.RulesRead);
        group.MapPost("/backtest", BacktestAsync).WithName("BacktestRule").RequirePermission(Permission.RulesRead);
    }

    /// <summary>Datadog's <c>POST /rules/validation</c>: 204 when the rule is valid, 400 with every error at its JSON path.</summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ValidateAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        var (_, errors) = RuleJson.Parse(body.Json!.ToJsonString());
        return errors.Count == 0 ? TypedResults.NoContent() : Invalid(errors);
    }

    /// <summary>
    /// Datadog's <c>POST /rules/test</c>: <c>{"rule": {...}, "ruleQueryPayloads": [{"index", "expectedResult", "payload"}]}</c>
    /// answers <c>{"results": [bool...]}</c>, whether each payload matched query <c>index</c> as expected. Vigil adds the
    /// outcome of the rule's own embedded <c>tests</c> (sample logs and the signals they must raise) as <c>tests</c>.
    /// </summary>
    private static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> TestAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        if (body.Json!["rule"] is not JsonObject ruleJson)
        {
            return TypedResults.Problem(detail: "$.rule: expected the rule to test.", statusCode: 400, title: "Invalid test");
        }
        var (rule, errors) = RuleJson.Parse(ruleJson.ToJsonString());
        if (rule is null)
        {
            return JsonBodies.Invalid(errors, "The rule is invalid", "$.rule");
        }
        var compiled = CompiledRule.Compile(rule.Id ?? "test", rule);
        var results = new JsonArray();
        var problems = new List<RuleError>();
        if (body.Json["ruleQueryPayloads"] is not (null or JsonArray))
        {
            problems.Add(new RuleError("$.ruleQueryPayloads", "expected an array of {index, expectedResult, payload}"));
        }
        var payloads = body.Json["ruleQueryPayloads"] as JsonArray ?? [];
        for (var i = 0; i < payloads.Count; i++)
        {
            var path = $"$.ruleQueryPayloads[{i}]";
            if (payloads[i] is not JsonObject test || test["payload"] is not JsonObject payload)
            {
                problems.Add(new RuleError($"{path}.payload", "expected a log object"));
                continue;
            }
            // Both may be left out (query 0, expected to match nothing), not given as something else.
            var index = 0;
            if (test["index"] is { } given && !(given is JsonValue v && v.TryGetValue(out index)))
            {
                problems.Add(new RuleError($"{path}.index", "expected the number of one of the rule's queries"));
                continue;
            }
            if (index < 0 || index >= compiled.Queries.Count)
            {
                problems.Add(new RuleError($"{path}.index", $"the rule has no query {index}"));
                continue;
            }
            var expected = false;
            if (test["expectedResult"] is { } result && !(result is JsonValue e && e.TryGetValue(out expected)))
            {
                problems.Add(new RuleError($"{path}.expectedResult", "expected true or false"));
                continue;
            }
            try
            {
                var log = IntakeNormalizer.NormalizeRecorded(payload.DeepClone().AsObject(), DateTimeOffset.UtcNow);
                results.Add(QueryMatcher.Matches(compiled.Queries[index].Query, log) == expected);
            }
            catch (Exception error) when (error is IntakeFieldException or ArgumentException or InvalidOperationException or FormatException)
            {
                // As at intake: a nested duplicated key only fails when read.
                problems.Add(new RuleError($"{path}.payload", error.Message));
            }
        }
        if (problems.Count > 0)
        {
            return Invalid(problems);
        }
        var response = new JsonObject { ["results"] = results };
        if (rule.Tests is { Count: > 0 })
        {
            response["tests"] = new JsonArray([.. RuleTests.Run(rule).Select(r => (JsonNode?)new JsonObject
            {
                ["name"] = r.Name,
                ["passed"] = r.Passed,
                ["failures"] = new JsonArray([.. r.Failures.Select(f => (JsonNode?)f)]),
            })]);
        }
        return TypedResults.Ok(response);
    }

    /// <summary>
    /// Runs a rule (given, or stored by <c>ruleId</c>) over the organisation's stored logs between <c>from</c> and <c>to</c>
    /// without storing anything, and answers the signals it would have raised: what a rule change would have caught.
    /// </summary>
    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>, ValidationProblem, ProblemHttpResult>> BacktestAsync(
        HttpContext http, RuleService rules, RuleBacktests backtests, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        var tenantId = Session(http).TenantId;
        DetectionRule? rule;
        if (body.Json!["ruleId"] is JsonValue idValue && idValue.TryGetValue<string>(out var ruleId))
        {
            rule = await rules.GetAsync(tenantId, ruleId, cancellationToken);
            if (rule is null)
            {
                return NotFound();
            }
            if (rule.StoredErrors.Count > 0)
            {
                return JsonBodies.Invalid(rule.StoredErrors, "The stored rule no longer passes validation");
            }
        }
        else if (body.Json["rule"] is JsonObject ruleJson)
        {
            (rule, var errors) = RuleJson.Parse(ruleJson.ToJsonString());
            if (rule is null)
            {
                return JsonBodies.Invalid(errors, "The rule is invalid", "$.rule");
            }
        }
        else
        {
            return TypedResults.Problem(detail: "$: give the rule to run as \"rule\", or a stored rule's id as \"ruleId\".", statusCode: 400, title: "Invalid backtest");
        }
        if (RuleTypes.IsCorrelation(rule))
        {
            return TypedResults.Problem(detail: "$.rule: correlation rules judge signals, which a backtest over logs cannot replay.", statusCode: 400, title: "Invalid backtest");
        }
        var now = clock.GetUtcNow();
        var range = new List<RuleError>();
        var from = Instant(body.Json["from"], "$.from", now, range);
        var to = Instant(body.Json["to"], "$.to", now, range) ?? now;
        if (from is null && range.Count == 0)
        {
            range.Add(new RuleError("$.from", "is required (ISO 8601, or now-24h)"));
        }
        if (from is { } start && start >= to)
        {
            range.Add(new RuleError("$.to", "must be after from"));
        }
        if (from is { } first && to - first > Backtest.MaxRange)
        {
            range.Add(new RuleError("$.from", $"a backtest covers at most {Backtest.MaxRange.TotalDays:0} days"));
        }
        if (range.Count > 0)
        {
            return Invalid(range);
        }
        var outcome = await backtests.RunAsync(tenantId, rule, from!.Value, to, cancellationToken);
        if (outcome.TooManyEvents)
        {
            return TypedResults.Problem(
                detail: $"More than {Backtest.MaxEvents:N0} events match the rule's queries in this range: narrow the range or the queries.",
                statusCode: 422,
                title: "Backtest too large");
        }
        return TypedResults.Ok(new JsonObject
        {
            ["data"] = new JsonArray([.. outcome.Signals.Select(s => (JsonNode?)SignalResource.From(s))]),
            ["meta"] = new JsonObject
            {
                ["events_scanned"] = outcome.EventsScanned,
                ["from"] = from.Value.UtcDateTime.ToString("O"),
                ["to"] = to.UtcDateTime.ToString("O"),
                // The organisation's suppressions active now that applied, as its evaluation applies them: their data
                // exclusions leave logs out of the scan, their suppression queries stop signals (the groups stopped, each once).
                ["suppressions"] = new JsonArray([.. outcome.Suppressions.Select(s => (JsonNode?)new JsonObject
                {
                    ["id"] = s.Suppression.Id,
                    ["name"] = s.Suppression.Name,
                    ["data_exclusion"] = s.ExcludesLogs,
                    ["suppresses_signals"] = s.StopsSignals,
                    ["suppressed_groups"] = s.GroupsStopped,
                })]),
            },
        });
    }

    private static DateTimeOffset? Instant(JsonNode? node, string path, DateTimeOffset now, List<RuleError> errors)
    {
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue value && value.TryGetValue<string>(out var text) && TimeParameter.TryParse(text, now, now, out var instant))
        {
            return instant;
        }
        errors.Add(new RuleError(path, "expected an ISO 8601 time or a relative one such as now-24h"));
        return null;
    }

    /// <summary>
    /// Datadog's <c>GET /rules</c>: a page of the organisation's rules (<c>page[size]</c>, 10 unless asked, at most 100, and
    /// <c>page[number]</c> from 0), in the order the rules page lists them, with their count.
    /// </summary>
    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        if (!NumberedPage.TryRead(http.Request.Query, DefaultPageSize, MaxPageSize, out var page, out var invalid))
        {
            return invalid!;
        }
        var all = await rules.ListAsync(Session(http).TenantId, cancellationToken);
        return TypedResults.Ok(new JsonObject
        {
            ["data"] = new JsonArray([.. page.Of(all).Select(r => (JsonNode?)ToJson(r))]),
            ["meta"] = new JsonObject { ["page"] = new JsonObject { ["total_count"] = all.Count, ["total_filtered_count"] = all.Count } },
        });
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>>> GetAsync(string id, HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        var rule = await rules.GetAsync(Session(http).TenantId, id, cancellationToken);
        return rule is null ? NotFound() : TypedResults.Ok(ToJson(rule));
    }

    private static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> CreateAsync(HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        var session = Session(http);
        var (rule, errors) = await rules.CreateAsync(session.TenantId, body.Json!.ToJsonString(), session.UserId, cancellationToken: cancellationToken);
        return rule is null ? Invalid(errors) : TypedResults.Ok(ToJson(rule));
    }

    private static async Task<Results<Ok<JsonObject>, NotFound<JsonObject>, ValidationProblem, ProblemHttpResult>> UpdateAsync(string id, HttpContext http, RuleService rules, CancellationToken cancellationToken)
    {
        var body = await ReadObjectAsync(http, cancellationToken);
        if (body.Error is not null)
        {
            return body.Error;
        }
        // Datadog's update replaces the fields it is given and keeps the others; a version given is the one the client read.
        var written = await rules.MergeAsync(Session(http).TenantId, id, body.Json!, cancellationToken);
        if (written.StoredVersion is { } stored)
        {
            var detail = body.Json!["version"] is { } read
                ? $"The rule was changed since version {read} was read: it is at version {stored}. Read it again and make the change of that version."
                : $"The rule was changed by other writes while this one was made: it is at version {stored}. Try again.";
            return TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Version conflict", extensions: new Dictionary<string, object?> { ["version"] = stored });
        }
        return written switch
        {
            { Rule: { } rule } => TypedResults.Ok(ToJson(rule)),
            { Found: false } => NotFound(),
            _ => Invalid(written.Errors),
        };
    }

    private static async Task<Results<NoContent, NotFound<JsonObject>>> DeleteAsync(string id, HttpContext http, RuleService rules, CancellationToken cancellationToken) =>
        await rules.DeleteAsync(Session(http).TenantId, id, cancellationToken) ? TypedResults.NoContent() : NotFound();

    private static JsonObject ToJson(DetectionRule rule)
    {
        var json = JsonNode.Parse(RuleJson.Serialize(rule))!.AsObject();
        json["isDeleted"] = false;
        if (rule.StoredErrors.Count > 0)
        {
            // Vigil's: why the rule as stored is not evaluated (Datadog's clients keep unknown fields as additional properties).
            json[DetectionRule.StoredErrorsName] = new JsonArray([.. rule.StoredErrors.Select(e => (JsonNode?)new JsonObject { ["path"] = e.Path, ["message"] = e.Message })]);
        }
        return json;
    }

    private static Task<(JsonObject? Json, ProblemHttpResult? Error)> ReadObjectAsync(HttpContext http, CancellationToken cancellationToken) =>
        JsonBodies.ReadObjectAsync(http, "rule", cancellationToken);

    private static ValidationProblem Invalid(IReadOnlyList<RuleError> errors) => JsonBodies.Invalid(errors, "The rule is invalid");

    private static NotFound<JsonObject> NotFound() => TypedResults.NotFound(new JsonObject { ["errors"] = new JsonArray("Rule not found") });

    private static SessionInfo Session(HttpContext http) => SessionInfo.From(http.User)!;
}
