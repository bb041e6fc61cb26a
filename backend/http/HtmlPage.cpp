#include "HtmlPage.h"

using namespace Qt::StringLiterals;

namespace quorum::html {

namespace {

// One style sheet for every page, inline because the pages load nothing from anywhere: the
// Content-Security-Policy below allows inline styles and nothing else (no scripts at all).
constexpr QStringView kStyle = u"*{box-sizing:border-box}"
                               "body{margin:0;min-height:100vh;display:flex;align-items:center;"
                               "justify-content:center;background:#eef1f5;color:#1d2430;"
                               "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
                               "main{width:100%;max-width:420px;margin:24px;padding:32px;"
                               "background:#fff;border-radius:12px;"
                               "box-shadow:0 2px 12px rgba(29,36,48,.12)}"
                               ".brand{margin:0 0 20px;font-size:14px;font-weight:700;"
                               "letter-spacing:.08em;text-transform:uppercase;color:#2f5bd3}"
                               "h1{margin:0 0 16px;font-size:24px;line-height:1.25}"
                               "p,form,ul{margin:0 0 16px}"
                               "main>:last-child{margin-bottom:0}"
                               "ul{padding-left:22px}li{margin:0 0 6px}"
                               "label{display:block;margin:0 0 4px;font-weight:600;font-size:14px}"
                               "input[type=text],input[type=password]{display:block;width:100%;"
                               "margin:0 0 16px;padding:10px 12px;font:inherit;"
                               "border:1px solid #b8c0cc;border-radius:8px}"
                               "input:focus{outline:2px solid #2f5bd3;outline-offset:1px}"
                               "button{width:100%;padding:11px;font:inherit;font-weight:600;"
                               "color:#fff;background:#2f5bd3;border:0;border-radius:8px;"
                               "cursor:pointer}"
                               "button:hover{background:#2549ad}"
                               "button.secondary{color:#1d2430;background:#e3e7ee}"
                               ".error{padding:10px 12px;border-radius:8px;background:#fdecec;"
                               "color:#8a1c1c;border:1px solid #f3c2c2}"
                               ".note{color:#5a6472;font-size:14px}"
                               "dl{margin:0 0 20px}dt{font-size:13px;color:#5a6472}"
                               "dd{margin:0 0 8px;font-weight:600;overflow-wrap:anywhere}"
                               "a{color:#2f5bd3}";

} // namespace

QString escape(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size() + text.size() / 8);
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'&':
            escaped += u"&amp;"_s;
            break;
        case u'<':
            escaped += u"&lt;"_s;
            break;
        case u'>':
            escaped += u"&gt;"_s;
            break;
        case u'"':
            escaped += u"&quot;"_s;
            break;
        case u'\'':
            escaped += u"&#39;"_s;
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

ApiResponse page(int status, const QString &title, const QString &bodyHtml)
{
    const QString document = u"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                             "<meta name=\"viewport\" content=\"width=device-width, "
                             "initial-scale=1\"><meta name=\"referrer\" content=\"no-referrer\">"
                             "<title>"_s
        + escape(title) + u" · Quorum</title><style>"_s + kStyle.toString()
        + u"</style></head><body><main><p class=\"brand\">Quorum</p>"_s + bodyHtml
        + u"</main></body></html>\n"_s;

    ApiResponse response = ApiResponse::text(status, "text/html; charset=utf-8", document.toUtf8());
    // No scripts, no frames, nothing fetched from elsewhere. No form-action: browsers apply it
    // to the redirect after a post too, which would stop the OAuth consent's redirect.
    response
        .withHeader("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                    "frame-ancestors 'none'; base-uri 'none'")
        .withHeader("X-Frame-Options", "DENY")
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer")
        .withHeader("Cache-Control", "no-store");
    return response;
}

} // namespace quorum::html
