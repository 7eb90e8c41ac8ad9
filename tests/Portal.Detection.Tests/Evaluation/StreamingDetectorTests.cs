using System.Text.Json.Nodes;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using static Portal.Detection.Tests.Evaluation.Detections;

namespace Portal.Detection.Tests.Evaluation;

public class StreamingDetectorTests
{
    private const string Attacker = "203.0.113.77";
    private const string Neighbour = "198.51.100.23";

    [Fact]
    public void Process_CountAboveThresholdInWindow_RaisesOneSignalThatKeepsCounting()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 5")]);

        var signals = Run([rule], Failures(20, Attacker, T0).Concat(Failures(5, Neighbour, T0.AddSeconds(30))));

        var signal = Assert.Single(signals);
        Assert.Equal(Attacker, signal.GroupBy["@network.client.ip"]);
        Assert.Equal(20, signal.EventsMatched);
        Assert.Equal((T0, T0.AddSeconds(19)), (signal.FirstSeen, signal.LastSeen));
        Assert.Equal(10, signal.SampleEventIds.Count);
    }

    [Fact]
    public void Process_SamplesThatLeaveTheWindow_AreReplacedByLaterEvents()
    {
        // Windows keep whole events only as samples: ten at most, and one that ages out frees its place.
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 12")], new RuleOptions { EvaluationWindow = 60, KeepAlive = 3600 });
        var events = Enumerable.Range(0, 12).Select(i => Failure(Attacker, "root", T0.AddSeconds(i * 5))).ToList();
        // At 62 s the first event has left the 60 s window (12 remain with the new one); at 63 s there are 13.
        events.Add(Failure(Attacker, "root", T0.AddSeconds(62)));
        events.Add(Failure(Attacker, "root", T0.AddSeconds(63)));

        var signal = Assert.Single(Run([rule], events));

        Assert.Equal(T0.AddSeconds(5), signal.FirstSeen);
        Assert.Equal(13, signal.EventsMatched);
        Assert.Equal(events.Skip(1).Take(9).Append(events[12]).Select(e => e.Id), signal.SampleEventIds);
    }

    [Fact]
    public void Process_EventsSpreadBeyondTheWindow_NeverReachTheThreshold()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 5")], new RuleOptions { EvaluationWindow = 60, KeepAlive = 3600 });
        var slow = Enumerable.Range(0, 30).Select(i => Failure(Attacker, "root", T0.AddSeconds(i * 15)));

        Assert.Empty(Run([rule], slow));
    }

    [Fact]
    public void Process_TwoQueriesJoinedOnTheGroup_RaisesOnlyWhenBothConditionsHold()
    {
        var rule = Rule([Count(FailureQuery), Count(SuccessQuery)], [("high", "a > 5 && b > 0")]);
        var events = Failures(8, Attacker, T0)
            .Append(Success(Attacker, "deploy", T0.AddSeconds(20)))
            .Concat(Failures(8, Neighbour, T0))
            .Append(Success("10.0.1.20", "deploy", T0.AddSeconds(20)));

        var signal = Assert.Single(Run([rule], events));

        Assert.Equal(Attacker, signal.GroupBy["@network.client.ip"]);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 8, ["b"] = 1 }, signal.EventsMatchedByQuery);
        Assert.Equal("high", signal.Severity);
    }

    [Fact]
    public void Process_Cardinality_CountsDistinctUsersPerSource()
    {
        var query = new RuleQuery { Query = FailureQuery, Aggregation = RuleAggregations.Cardinality, GroupByFields = ["@network.client.ip"], DistinctFields = ["@usr.name"] };
        var rule = Rule([query], [("high", "a >= 4")]);
        var sprayed = new[] { "root", "admin", "oracle", "admin", "postgres" }.Select((user, i) => Failure(Attacker, user, T0.AddSeconds(i)));

        var signals = Run([rule], sprayed.Concat(Failures(20, Neighbour, T0)));

        Assert.Equal(Attacker, Assert.Single(signals).GroupBy["@network.client.ip"]);
    }

    [Fact]
    public void Process_SumAndMax_AggregateTheMetric()
    {
        var sum = new RuleQuery { Name = "sent", Query = "source:app", Aggregation = RuleAggregations.Sum, Metrics = ["@bytes"], GroupByFields = ["@usr.name"] };
        var max = new RuleQuery { Name = "largest", Query = "source:app", Aggregation = RuleAggregations.Max, Metrics = ["@bytes"], GroupByFields = ["@usr.name"] };
        var bulk = Rule([sum], [("medium", "sent > 1000")]);
        var single = Rule([max], [("high", "largest >= 900")]);
        var events = new[] { 300, 400, 350, 100 }.Select((b, i) => App(T0.AddSeconds(i), new JsonObject { ["bytes"] = b, ["usr"] = new JsonObject { ["name"] = "alice" } }));

        Assert.Equal(4, Assert.Single(Run([bulk], events)).EventsMatched); // raised at the third event, updated by the fourth
        Assert.Empty(Run([single], events));
    }

    [Fact]
    public void Process_WindowZero_JudgesEveryEventAlone()
    {
        var rule = Rule([Count("source:sshd @evt.outcome:success @usr.name:root")], [("high", "a > 0")], new RuleOptions { EvaluationWindow = 0, KeepAlive = 0, MaxSignalDuration = 0 });

        var signals = Run([rule], [Success(Attacker, "root", T0), Success(Attacker, "root", T0.AddMinutes(1)), Success(Attacker, "alice", T0.AddMinutes(2))]);

        Assert.Equal(2, signals.Count);
        Assert.All(signals, s => Assert.Equal(1, s.EventsMatched));
    }

    [Fact]
    public void Process_RuleFilters_RequireAndSuppressEventsBeforeCounting()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 5")]);
        rule.Definition.Filters = [new RuleFilter { Action = "suppress", Query = "@usr.name:scanner" }, new RuleFilter { Action = "require", Query = "host:bastion-*" }];
        var filtered = CompiledRule.Compile(rule.Id, rule.Definition);
        var events = Failures(10, Attacker, T0, user: "scanner")
            .Concat(Enumerable.Range(0, 10).Select(i => Failure(Neighbour, "root", T0.AddSeconds(i), host: "lab-1")))
            .Concat(Failures(6, "192.0.2.1", T0))
            .OrderBy(e => e.Timestamp);

        var signal = Assert.Single(Run([filtered], events));

        Assert.Equal("192.0.2.1", signal.GroupBy["@network.client.ip"]);
    }

    [Fact]
    public void Process_SignalCorrelation_RaisesWhereBothRulesFiredForTheSameAddress()
    {
        var bruteForce = CompiledRule.Compile("brute-force", Rule([Count(FailureQuery)], [("medium", "a > 5")]).Definition);
        var rootLogin = CompiledRule.Compile("root-login", Rule([Count(SuccessQuery + " @usr.name:root")], [("high", "a > 0")], new RuleOptions { EvaluationWindow = 0 }).Definition);
        var correlation = CompiledRule.Compile("takeover", new DetectionRule
        {
            Name = "Brute force then root login",
            Type = RuleTypes.SignalCorrelation,
            Queries =
            [
                new RuleQuery { Name = "guessing", RuleId = "brute-force", Aggregation = RuleAggregations.EventCount, CorrelatedByFields = ["@network.client.ip"] },
                new RuleQuery { Name = "root", RuleId = "root-login", Aggregation = RuleAggregations.EventCount, CorrelatedByFields = ["@network.client.ip"] },
            ],
            Cases = [new RuleCase { Status = "critical", Condition = "guessing > 0 && root > 0" }],
            Options = new RuleOptions { EvaluationWindow = 900, KeepAlive = 3600 },
        });
        var events = Failures(8, Attacker, T0)
            .Append(Success(Attacker, "root", T0.AddSeconds(30)))
            .Concat(Failures(8, Neighbour, T0))
            .Append(Success("10.0.1.20", "root", T0.AddSeconds(40)))
            .OrderBy(e => e.Timestamp);

        var signals = Run([bruteForce, rootLogin, correlation], events);

        var takeover = Assert.Single(signals, s => s.RuleId == "takeover");
        Assert.Equal("critical", takeover.Severity);
        Assert.Equal(Attacker, takeover.GroupBy["@network.client.ip"]);
        Assert.Equal(new Dictionary<string, long> { ["guessing"] = 1, ["root"] = 1 }, takeover.EventsMatchedByQuery);
    }

    [Fact]
    public void Process_ThirdParty_RaisesOneSignalPerFindingWithTheSeverityOfTheFirstMatchingCase()
    {
        var (definition, errors) = RuleJson.Parse("""
            {
              "name": "GuardDuty finding",
              "queries": [],
              "cases": [],
              "thirdPartyCases": [
                { "name": "high", "query": "@detail.severity:>=7", "status": "high" },
                { "name": "medium", "query": "@detail.severity:>=4", "status": "medium" }
              ],
              "options": {
                "detectionMethod": "third_party", "keepAlive": 3600, "maxSignalDuration": 86400,
                "thirdPartyRuleOptions": {
                  "defaultStatus": "low",
                  "rootQueries": [{ "query": "source:guardduty", "groupByFields": ["@detail.id"] }],
                  "signalTitleTemplate": "GuardDuty: {{@detail.type}}"
                }
              },
              "message": "{{@detail.title}}",
              "tags": []
            }
            """);
        Assert.Empty(errors);
        var rule = CompiledRule.Compile("guardduty", definition!);
        LogEvent Finding(string id, double severity, int second) => IntakeNormalizer.NormalizeRecorded(
            new JsonObject
            {
                ["ddsource"] = "guardduty",
                ["message"] = "finding",
                ["detail"] = new JsonObject { ["id"] = id, ["severity"] = severity, ["type"] = "Backdoor:EC2/C&CActivity.B!DNS", ["title"] = "Unprotected port probed" },
            },
            T0.AddSeconds(second));

        var signals = Run([rule], [Finding("f1", 2, 0), Finding("f2", 8.5, 1), Finding("f3", 5, 2), Finding("f2", 8.5, 3)]);

        Assert.Equal([("f1", "low", 1L), ("f2", "high", 2L), ("f3", "medium", 1L)], signals.Select(s => (s.GroupBy["@detail.id"], s.Severity, s.EventsMatched)));
        // A title is plain text: the finding's type as it is (a message escapes Markdown's characters).
        Assert.Equal("GuardDuty: Backdoor:EC2/C&CActivity.B!DNS", signals[0].Title);
        Assert.True(RealTimeRules.IsRealTime(definition!));
    }

    [Fact]
    public void Process_HigherCaseLater_EscalatesTheOpenSignal()
    {
        var rule = Rule([Count(FailureQuery)], [("critical", "a > 50"), ("medium", "a > 5")]);

        var signal = Assert.Single(Run([rule], Failures(60, Attacker, T0)));

        Assert.Equal("critical", signal.Severity);
        Assert.Equal(60, signal.EventsMatched);
    }

    [Fact]
    public void Process_AfterKeepAlive_StartsANewSignal()
    {
        var rule = Rule([Count(FailureQuery)], [("medium", "a > 5")], new RuleOptions { EvaluationWindow = 300, KeepAlive = 600, MaxSignalDuration = 86400 });

        var signals = Run([rule], Failures(10, Attacker, T0).Concat(Failures(10, Attacker, T0.AddHours(1))));

        Assert.Equal([10L, 10L], signals.Select(s => s.EventsMatched));
    }

    [Fact]
    public void Process_DecreaseCriticalityBasedOnEnv_LowersStagingSignalsOneStep()
    {
        var rule = Rule([Count("source:app", "source")], [("high", "a > 0")], new RuleOptions { EvaluationWindow = 0, KeepAlive = 0, MaxSignalDuration = 0, DecreaseCriticalityBasedOnEnv = true });

        var signals = Run([rule], [App(T0, [], "env:staging"), App(T0.AddSeconds(1), [], "env:prod")]);

        Assert.Equal(["medium", "high"], signals.Select(s => s.Severity));
    }

    [Fact]
    public void Process_NewValue_LearnsThenRaisesOncePerNewValue()
    {
        var query = new RuleQuery { Query = "source:app @evt.name:login", Aggregation = RuleAggregations.NewValue, GroupByFields = ["@usr.name"], Metrics = ["@network.client.geoip.country.iso_code"] };
        var rule = Rule([query], [("medium", "")], new RuleOptions
        {
            DetectionMethod = DetectionMethods.NewValue,
            EvaluationWindow = 0,
            KeepAlive = 3600,
            MaxSignalDuration = 86400,
            NewValueOptions = new NewValueOptions { LearningDuration = 1, ForgetAfter = 7 },
        });
        var events = new[]
        {
            Login(T0, "alice", "FR"),
            Login(T0.AddHours(2), "alice", "DE"), // learning: only learned
            Login(T0.AddDays(2), "alice", "FR"),
            Login(T0.AddDays(2).AddHours(1), "alice", "BR"), // new
            Login(T0.AddDays(2).AddHours(2), "alice", "BR"), // seen now
            Login(T0.AddDays(2).AddHours(3), "bob", "BR"), // new for bob
            Login(T0.AddDays(12), "alice", "DE"), // forgotten after 7 days: new again
        };

        var signals = Run([rule], events);

        Assert.Equal(
            [("alice", "BR"), ("bob", "BR"), ("alice", "DE")],
            signals.Select(s => (s.GroupBy["@usr.name"], s.GroupBy["@network.client.geoip.country.iso_code"])));
    }

    [Fact]
    public void Process_ImpossibleTravel_RaisesWithBothPlacesOnlyWhenTooFast()
    {
        var query = new RuleQuery { Query = "source:app @evt.name:login", Aggregation = RuleAggregations.GeoData, GroupByFields = ["@usr.name"], Metrics = ["@network.client.geoip"] };
        var rule = Rule([query], [("high", "")], new RuleOptions { DetectionMethod = DetectionMethods.ImpossibleTravel, EvaluationWindow = 0, KeepAlive = 3600, MaxSignalDuration = 86400 });
        var events = new[]
        {
            Login(T0, "alice", "FR", "Paris", 48.8566, 2.3522),
            Login(T0.AddHours(10), "alice", "US", "New York", 40.7128, -74.006), // 5,837 km in 10 h: a flight
            Login(T0.AddHours(11), "alice", "JP", "Tokyo", 35.6762, 139.6503), // 10,850 km in 1 h: impossible
            Login(T0, "bob", "FR", "Paris", 48.8566, 2.3522),
            Login(T0.AddMinutes(5), "bob", "FR", "Versailles", 48.8049, 2.1204), // 18 km: geo-IP noise
        };

        var signal = Assert.Single(Run([rule], events.OrderBy(e => e.Timestamp)));

        Assert.Equal("alice", signal.GroupBy["@usr.name"]);
        var travel = signal.Attributes["impossible_travel"]!;
        Assert.Equal("New York, US", (string?)travel["from"]!["place"]);
        Assert.Equal("Tokyo, JP", (string?)travel["to"]!["place"]);
        Assert.InRange((double)travel["distance_km"]!, 10_800, 10_900);
    }

    [Fact]
    public void Process_ImpossibleTravelWithBaseline_IgnoresUsualPlaces()
    {
        var query = new RuleQuery { Query = "source:app @evt.name:login", Aggregation = RuleAggregations.GeoData, GroupByFields = ["@usr.name"], Metrics = ["@network.client.geoip"] };
        var rule = Rule([query], [("high", "")], new RuleOptions
        {
            DetectionMethod = DetectionMethods.ImpossibleTravel,
            EvaluationWindow = 0,
            KeepAlive = 3600,
            MaxSignalDuration = 86400,
            ImpossibleTravelOptions = new ImpossibleTravelOptions { BaselineUserLocations = true },
        });
        var events = new[]
        {
            Login(T0, "alice", "FR", "Paris", 48.8566, 2.3522),
            Login(T0.AddHours(1), "alice", "US", "New York", 40.7128, -74.006), // learning day: a corporate VPN exit
            Login(T0.AddDays(2), "alice", "FR", "Paris", 48.8566, 2.3522),
            Login(T0.AddDays(2).AddMinutes(30), "alice", "US", "New York", 40.7128, -74.006), // usual: no signal
            Login(T0.AddDays(2).AddMinutes(40), "alice", "JP", "Tokyo", 35.6762, 139.6503), // new place, too fast
        };

        var signal = Assert.Single(Run([rule], events));

        Assert.Equal("Tokyo, JP", (string?)signal.Attributes["impossible_travel"]!["to"]!["place"]);
    }

    [Fact]
    public void Process_AnomalySpikeAfterLearning_RaisesForTheSpikingGroupOnly()
    {
        var rule = Rule([Count("source:nginx @http.status_code:[500 TO 599]", "service")], [("medium", "")], new RuleOptions
        {
            DetectionMethod = DetectionMethods.AnomalyDetection,
            EvaluationWindow = 0,
            KeepAlive = 3600,
            MaxSignalDuration = 86400,
            AnomalyDetectionOptions = new AnomalyDetectionOptions { BucketDuration = 300, LearningDuration = 1, DetectionTolerance = 3 },
        });
        var events = new List<LogEvent>();
        for (var bucket = 0; bucket < 24; bucket++)
        {
            var usual = 2 + (bucket % 3);
            for (var i = 0; i < (bucket == 20 ? 60 : usual); i++)
            {
                events.Add(ServerError(T0.AddMinutes(bucket * 5).AddSeconds(i), "shop"));
            }
            for (var i = 0; i < usual; i++)
            {
                events.Add(ServerError(T0.AddMinutes(bucket * 5).AddSeconds(i), "search"));
            }
        }

        var signal = Assert.Single(Run([rule], events.OrderBy(e => e.Timestamp)));

        Assert.Equal("shop", signal.GroupBy["service"]);
        Assert.Equal(60, signal.EventsMatched);
        Assert.Equal(T0.AddMinutes(100).UtcDateTime.ToString("O"), (string?)signal.Attributes["anomaly"]!["bucket_start"]);
    }

    [Fact]
    public void Process_ManyRules_GivesTheSameSignalsAsEachRuleAlone()
    {
        var rules = new[]
        {
            Rule([Count(FailureQuery)], [("medium", "a > 5")]),
            Rule([Count("source:sshd @usr.name:(root OR admin)")], [("low", "a > 3")]),
            Rule([Count("source:sshd -@evt.outcome:success")], [("info", "a > 10")]),
            Rule([Count("Failed password", "host")], [("high", "a > 12")]),
            Rule([Count("source:sshd @evt.outcome:fail*")], [("medium", "a > 15")]),
        };
        var events = Failures(20, Attacker, T0).Concat(Failures(8, Neighbour, T0, user: "admin")).Append(Success(Attacker, "root", T0.AddSeconds(40))).OrderBy(e => e.Timestamp).ToList();

        var together = Run(rules, events).Select(Summary).Order().ToList();
        var alone = rules.SelectMany(r => Run([r], events)).Select(Summary).Order().ToList();

        Assert.Equal(alone, together);
        Assert.Equal(7, together.Count);
    }

    [Theory]
    [InlineData(FailureQuery, "@evt.name=authentication")]
    [InlineData("@eventName:(StopLogging OR DeleteTrail) source:cloudtrail", "@eventName=StopLogging @eventName=DeleteTrail")]
    [InlineData("source:cloudtrail", "source=cloudtrail")]
    [InlineData("@http.url:*${jndi:* OR @http.useragent:*jndi*", "@http.url~${jndi: @http.useragent~jndi")]
    [InlineData("source:nginx (union OR \"select from\")", "message~union message~select")]
    [InlineData("@usr.name:adm*", "@usr.name~adm")]
    [InlineData(
        "@http.method:GET (*@@version* OR *union%20select* OR *select%20* OR *sleep%28* OR *waitfor%20* OR *benchmark%28* OR *pg_sleep* OR *information_schema* OR *xp_cmdshell* OR *concat%280x* OR *char%280x* OR *order%20by*)",
        "message~@@version message~union%20select message~select%20 message~sleep%28 message~waitfor%20 message~benchmark%28 message~pg_sleep message~information_schema message~xp_cmdshell message~concat%280x message~char%280x message~order%20by")]
    [InlineData("source:sshd OR fa*", "")]
    [InlineData("-source:sshd", "")]
    [InlineData("@network.client.ip:CIDR(10.0.0.0/8)", "@network.client.ip~")]
    [InlineData("@http.status_code:[500 TO 599]", "@http.status_code~")]
    [InlineData("@http.status_code:[500 TO 599] @http.method:POST", "@http.method=POST")]
    [InlineData("service:* @usr.name:a*", "@usr.name~")]
    [InlineData("@network.client.ip:* OR @evt.name:login", "@network.client.ip~ @evt.name=login")]
    public void RequiredKeys_FilesAQueryUnderWhatAMatchMustCarry(string query, string expected)
    {
        var keys = QueryKeys.Required(QueryParser.Parse(query));

        Assert.Equal(expected, keys is null ? "" : Described(keys));
    }

    /// <summary>Keys as <c>field=value</c> (exact) or <c>field~literal</c>, space-separated.</summary>
    private static string Described(IEnumerable<IndexKey> keys) => string.Join(' ', keys.Select(k => $"{k.Field}{(k.IsLiteral ? "~" : "=")}{k.Text}"));

    [Theory]
    [InlineData(FailureQuery, "@evt.name=authentication ; @evt.outcome=failure")]
    [InlineData("@http.status_code:[500 TO 599] @http.method:POST", "@http.method=POST ; @http.status_code~")]
    [InlineData("source:cloudtrail (@eventName:StopLogging OR @eventName:DeleteTrail) -@usr.name:admin", "@eventName=StopLogging @eventName=DeleteTrail ; source=cloudtrail")]
    [InlineData("source:cloudtrail -@usr.name:admin", "source=cloudtrail")]
    [InlineData("(source:sshd -@usr.name:admin) -@network.client.ip:10.0.0.1 @evt.outcome:failure", "@evt.outcome=failure ; source=sshd")]
    [InlineData("@network.client.ip:* OR @evt.name:login", "@network.client.ip~ @evt.name=login")]
    [InlineData("-source:sshd", "")]
    public void RequiredParts_FilesAConjunctionUnderItsTwoMostSelectiveParts(string query, string expected)
    {
        var parts = QueryKeys.RequiredParts(QueryParser.Parse(query));

        Assert.Equal(expected, parts is null ? "" : string.Join(" ; ", parts.Select(Described)));
    }

    [Fact]
    public void Matches_ConjunctionOfTwoParts_IsTriedOnlyOnEventsCarryingBoth()
    {
        // Filed under @evt.name:authentication alone, the success query was tried on every failed login.
        var index = new QueryIndex<int>();
        index.Add(QueryParser.Parse(SuccessQuery), 0);
        var found = new List<int>();

        foreach (var e in Failures(5, Attacker, T0))
        {
            index.Matches(e, found);
        }
        Assert.Equal(0, index.CandidatesTested);
        Assert.Empty(found);

        index.Matches(Success(Attacker, "root", T0), found);
        Assert.Equal(1, index.CandidatesTested);
        Assert.Equal([0], found);
    }

    [Fact]
    public void Matches_ManyQueries_FindsExactlyWhatTheMatcherFinds()
    {
        var queries = new[]
        {
            FailureQuery, SuccessQuery, "failed password", "source:sshd @usr.name:ro*", "@usr.name:*min", "-source:sshd", "FAILED",
            "@network.client.ip:203.0.113.*", "source:sshd -@evt.outcome:success", "\"accepted password\"", "host:bastion-1 @usr.name:admin",
            // Two parts on one field, tags, and nested conjunctions.
            "@usr.name:* @usr.name:ro*", "env:prod source:sshd", "env:prod @usr.name:admin", "(source:sshd @evt.outcome:failure) (@usr.name:admin OR @usr.name:ro*)",
        }.Select(QueryParser.Parse).ToList();
        var index = new QueryIndex<int>();
        for (var i = 0; i < queries.Count; i++)
        {
            index.Add(queries[i], i);
        }
        var events = Failures(3, Attacker, T0).Concat(Failures(2, Neighbour, T0, user: "admin")).Append(Success(Attacker, "root", T0))
            .Append(IntakeNormalizer.Normalize(new JsonObject
            {
                ["ddsource"] = "sshd", ["ddtags"] = "env:prod,env:", ["message"] = "Failed password for admin from 203.0.113.9 port 1 ssh2",
            }, T0))
            .Append(IntakeNormalizer.Normalize(new JsonObject
            {
                ["ddsource"] = "app", ["ddtags"] = "env:prod", ["message"] = "login", ["usr"] = new JsonObject { ["name"] = new JsonArray("bob", "root") },
            }, T0))
            .ToList();
        // The conjunctions filed under two parts each match some event, so a lost match would show.
        Assert.All(queries.TakeLast(4), q => Assert.Contains(events, e => QueryMatcher.Matches(q, e)));

        foreach (var e in events)
        {
            var found = new List<int>();
            index.Matches(e, found);
            Assert.Equal(Enumerable.Range(0, queries.Count).Where(i => QueryMatcher.Matches(queries[i], e)), found);
        }
    }

    [Fact]
    public void Matches_QueryAddedAfterEventsWereMatched_IsFoundOnTheSameLeaves()
    {
        // The index remembers the attributes it looked up by their path strings, the same from event to event: an
        // attribute remembered as having no queries must be looked up again once a query is filed under it.
        var index = new QueryIndex<int>();
        index.Add(QueryParser.Parse("@evt.name:authentication"), 0);
        var e = Failures(1, Attacker, T0).Single();
        var found = new List<int>();
        index.Matches(e, found);
        Assert.Equal([0], found);

        index.Add(QueryParser.Parse("@network.client.ip:" + Attacker), 1);
        found.Clear();
        index.Matches(e, found);

        Assert.Equal([0, 1], found);
    }

    private static string Summary(SecuritySignal s) => $"{s.RuleName}|{s.Severity}|{string.Join(",", s.GroupBy.Values)}|{s.EventsMatched}|{s.FirstSeen:O}|{s.LastSeen:O}";

    private static List<SecuritySignal> Run(IEnumerable<CompiledRule> rules, IEnumerable<LogEvent> events)
    {
        var detector = new StreamingDetector(rules);
        foreach (var e in events)
        {
            detector.Process(e);
        }
        return [.. detector.Finish()];
    }

    private static LogEvent App(DateTimeOffset at, JsonObject attributes, string? tags = null)
    {
        attributes["ddsource"] = "app";
        attributes["message"] = "event";
        if (tags is not null)
        {
            attributes["ddtags"] = tags;
        }
        return IntakeNormalizer.NormalizeRecorded(attributes, at);
    }

    private static LogEvent Login(DateTimeOffset at, string user, string country, string city = "", double latitude = 0, double longitude = 0) => App(at, new JsonObject
    {
        ["evt"] = new JsonObject { ["name"] = "login" },
        ["usr"] = new JsonObject { ["name"] = user },
        ["network"] = new JsonObject
        {
            ["client"] = new JsonObject
            {
                ["geoip"] = new JsonObject
                {
                    ["country"] = new JsonObject { ["iso_code"] = country },
                    ["city"] = new JsonObject { ["name"] = city },
                    ["location"] = new JsonObject { ["latitude"] = latitude, ["longitude"] = longitude },
                },
            },
        },
    });

    private static LogEvent ServerError(DateTimeOffset at, string service) => IntakeNormalizer.NormalizeRecorded(
        new JsonObject { ["ddsource"] = "nginx", ["service"] = service, ["timestamp"] = at.ToString("O"), ["message"] = $"203.0.113.9 - - [03/Mar/2026:14:04:01 +0000] \"GET /cart HTTP/1.1\" 502 162 \"-\" \"curl/8.5\"" },
        at);
}
