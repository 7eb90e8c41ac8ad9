using System.Text.Json.Nodes;

namespace Portal.Detection.Demo;

/// <summary>nginx access lines of the <c>web-store</c> service: shoppers, crawlers, probes and scanners.</summary>
internal static class DemoWeb
{
    private const string Service = "web-store";
    private const string Tags = "env:prod,team:storefront";

    private static readonly string[] Hosts = ["web-1", "web-2", "web-3"];

    private static readonly (string Value, int Weight)[] Browsers =
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 40),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", 20),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 20),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", 10),
        ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 6),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 4),
    ];

    /// <summary>Scanner user agents as the tools send them.</summary>
    public static readonly string[] Scanners =
    [
        "sqlmap/1.8.4#stable (https://sqlmap.org)",
        "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:007512)",
    ];

    private static readonly string[] ScannerPaths =
    [
        "/wp-login.php", "/.env", "/.git/config", "/products?id=1%27%20OR%20%271%27%3D%271", "/phpmyadmin/index.php",
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/admin/", "/cgi-bin/..%2f..%2f..%2fetc%2fpasswd", "/server-status", "/backup.zip",
    ];

    private static readonly string[] SearchTerms = ["headphones", "usb-c+cable", "desk+lamp", "backpack", "coffee+grinder", "running+shoes"];

    /// <summary>One request of a shopper (or a crawler) browsing the store.</summary>
    public static JsonObject Request(DemoRandom r, DateTimeOffset at)
    {
        var (method, path, status, bytes) = r.Int(0, 20) switch
        {
            < 5 => ("GET", "/", 200, r.Int(28000, 36000)),
            < 9 => ("GET", $"/products/{r.Int(1000, 1400)}", 200, r.Int(18000, 26000)),
            < 11 => ("GET", $"/search?q={r.Pick(SearchTerms)}&page={r.Int(1, 4)}", 200, r.Int(15000, 30000)),
            < 15 => ("GET", $"/static/js/app.{r.Hex(8)}.js", r.Chance(0.6) ? 304 : 200, 0),
            < 17 => ("GET", $"/api/cart", 200, r.Int(300, 2000)),
            < 18 => ("POST", "/api/cart/items", r.Chance(0.97) ? 201 : 500, r.Int(200, 900)),
            < 19 => ("POST", "/checkout", r.Chance(0.95) ? 302 : 502, r.Int(0, 400)),
            _ => ("GET", $"/products/{r.Int(9000, 9999)}", 404, 162),
        };
        if (status == 200 && bytes == 0)
        {
            bytes = r.Int(90000, 180000);
        }
        var referer = r.Chance(0.7) ? "https://shop.example.com/" : "-";
        return Line(at, r, r.InternetIp(), method, path, status, bytes, referer, r.Weighted(Browsers));
    }

    /// <summary>A scanner's requests, one a second from <paramref name="start"/>.</summary>
    public static List<DemoScheduledEvent> Scan(DemoRandom r, TimeSpan start, string ip, string userAgent, int count)
    {
        var events = new List<DemoScheduledEvent>();
        var at = start;
        for (var i = 0; i < count; i++)
        {
            var path = ScannerPaths[i % ScannerPaths.Length];
            var status = path.StartsWith("/products", StringComparison.Ordinal) ? 500 : r.Chance(0.8) ? 404 : 403;
            var bytes = r.Int(150, 600);
            var host = r.Pick(Hosts);
            events.Add(new(at, t => Line(t, host, ip, "GET", path, status, bytes, "-", userAgent)));
            at += TimeSpan.FromMilliseconds(r.Int(700, 1300));
        }
        return events;
    }

    private static JsonObject Line(DateTimeOffset at, DemoRandom r, string ip, string method, string path, int status, int bytes, string referer, string agent) =>
        Line(at, r.Pick(Hosts), ip, method, path, status, bytes, referer, agent);

    private static JsonObject Line(DateTimeOffset at, string host, string ip, string method, string path, int status, int bytes, string referer, string agent) =>
        DemoFormats.Intake(at, "nginx", Service, host, Tags,
            $"{ip} - - [{DemoFormats.AccessLog(at)}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"{referer}\" \"{agent}\"");
}
