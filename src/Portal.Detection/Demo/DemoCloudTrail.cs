using System.Text.Json.Nodes;

namespace Portal.Detection.Demo;

/// <summary>CloudTrail records of one AWS account: engineers and workloads at work, then an intruder.</summary>
internal static class DemoCloudTrail
{
    private const string Account = "123456789012";
    private const string Region = "us-east-1";
    private const string Trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events";
    private const string Cli = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off";
    private const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";

    private static readonly string[] Users = ["alice", "bob", "carol"];

    private static readonly Dictionary<string, string> PrincipalIds = new(StringComparer.Ordinal)
    {
        ["alice"] = "AIDAQ3EGUMWVK4HZB7D2A",
        ["bob"] = "AIDAQ3EGUMWVNR6T3XPLQ",
        ["carol"] = "AIDAQ3EGUMWVF2J5YC8MW",
        ["ci-deployer"] = "AIDAQ3EGUMWVT7QW4E1HZ",
    };

    private static readonly (string Source, string Name, bool ReadOnly)[] Calls =
    [
        ("ec2.amazonaws.com", "DescribeInstances", true),
        ("ec2.amazonaws.com", "DescribeSecurityGroups", true),
        ("s3.amazonaws.com", "ListBuckets", true),
        ("sts.amazonaws.com", "GetCallerIdentity", true),
        ("iam.amazonaws.com", "ListRoles", true),
        ("rds.amazonaws.com", "DescribeDBInstances", true),
        ("logs.amazonaws.com", "CreateLogStream", false),
        ("ssm.amazonaws.com", "GetParameter", true),
        ("kms.amazonaws.com", "Decrypt", true),
    ];

    /// <summary>A routine API call by an engineer or by the store's ECS task role.</summary>
    public static JsonObject Routine(DemoRandom r, DateTimeOffset at)
    {
        var (source, name, readOnly) = r.Pick(Calls);
        var human = name is not ("GetParameter" or "Decrypt" or "CreateLogStream");
        var identity = human ? IamUser(r.Pick(Users), "ASIA" + r.Upper(16)) : TaskRole(r);
        var ip = human ? r.InternetIp() : "10.0.2." + r.Int(10, 250);
        JsonObject? parameters = name switch
        {
            "GetParameter" => new() { ["name"] = "/web-store/prod/database-url", ["withDecryption"] = true },
            "Decrypt" => new() { ["encryptionAlgorithm"] = "SYMMETRIC_DEFAULT" },
            "CreateLogStream" => new() { ["logGroupName"] = "/ecs/web-store", ["logStreamName"] = "web/web-store/" + r.Hex(32) },
            "DescribeInstances" => new() { ["instancesSet"] = new JsonObject(), ["filterSet"] = new JsonObject() },
            _ => null,
        };
        return Record(r, at, identity, source, name, ip, human ? Cli : "aws-sdk-java/2.25.11 Linux/5.10 OpenJDK_64-Bit_Server_VM/21.0.2", parameters, readOnly);
    }

    /// <summary>An engineer signs in to the console with MFA, as every day.</summary>
    public static JsonObject ConsoleLogin(DemoRandom r, DateTimeOffset at)
    {
        var record = Record(r, at, IamUser(r.Pick(Users), accessKeyId: null), "signin.amazonaws.com", "ConsoleLogin", r.InternetIp(), Browser, null, readOnly: false);
        SignIn(record, mfa: "Yes");
        return record;
    }

    /// <summary>Someone signs in as the account's root user, without MFA, from an unknown address.</summary>
    public static JsonObject RootConsoleLogin(DemoRandom r, DateTimeOffset at, string ip)
    {
        var root = new JsonObject { ["type"] = "Root", ["principalId"] = Account, ["arn"] = $"arn:aws:iam::{Account}:root", ["accountId"] = Account };
        var record = Record(r, at, root, "signin.amazonaws.com", "ConsoleLogin", ip, Browser, null, readOnly: false);
        SignIn(record, mfa: "No");
        return record;
    }

    /// <summary>A stolen CI access key stops (or deletes) the account's trail.</summary>
    public static JsonObject StopTrail(DemoRandom r, DateTimeOffset at, string ip, bool delete)
    {
        var identity = IamUser("ci-deployer", "AKIA" + r.Upper(16));
        var name = delete ? "DeleteTrail" : "StopLogging";
        var command = delete ? "delete-trail" : "stop-logging";
        return Record(r, at, identity, "cloudtrail.amazonaws.com", name, ip, $"{Cli} command/cloudtrail.{command}", new() { ["name"] = Trail }, readOnly: false);
    }

    private static JsonObject Record(DemoRandom r, DateTimeOffset at, JsonObject identity, string source, string name, string ip, string agent, JsonObject? parameters, bool readOnly) => new()
    {
        ["ddsource"] = "cloudtrail",
        ["service"] = "cloudtrail",
        ["eventVersion"] = "1.08",
        ["userIdentity"] = identity,
        ["eventTime"] = DemoFormats.IsoSeconds(at),
        ["eventSource"] = source,
        ["eventName"] = name,
        ["awsRegion"] = Region,
        ["sourceIPAddress"] = ip,
        ["userAgent"] = agent,
        ["requestParameters"] = parameters,
        ["responseElements"] = null,
        ["requestID"] = r.Guid().ToString(),
        ["eventID"] = r.Guid().ToString(),
        ["readOnly"] = readOnly,
        ["eventType"] = "AwsApiCall",
        ["managementEvent"] = true,
        ["recipientAccountId"] = Account,
        ["eventCategory"] = "Management",
    };

    private static void SignIn(JsonObject record, string mfa)
    {
        record["eventType"] = "AwsConsoleSignIn";
        record["responseElements"] = new JsonObject { ["ConsoleLogin"] = "Success" };
        record["additionalEventData"] = new JsonObject
        {
            ["LoginTo"] = "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
            ["MobileVersion"] = "No",
            ["MFAUsed"] = mfa,
        };
    }

    private static JsonObject IamUser(string user, string? accessKeyId)
    {
        var identity = new JsonObject
        {
            ["type"] = "IAMUser",
            ["principalId"] = PrincipalIds.GetValueOrDefault(user, "AIDAQ3EGUMWV2N7XK5RTP"),
            ["arn"] = $"arn:aws:iam::{Account}:user/{user}",
            ["accountId"] = Account,
            ["userName"] = user,
        };
        if (accessKeyId is not null)
        {
            identity["accessKeyId"] = accessKeyId;
        }
        return identity;
    }

    private static JsonObject TaskRole(DemoRandom r) => new()
    {
        ["type"] = "AssumedRole",
        ["principalId"] = "AROA" + r.Upper(17) + ":" + r.Hex(32),
        ["arn"] = $"arn:aws:sts::{Account}:assumed-role/web-store-task/{r.Hex(32)}",
        ["accountId"] = Account,
        ["accessKeyId"] = "ASIA" + r.Upper(16),
    };
}
