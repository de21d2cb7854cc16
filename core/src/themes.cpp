#include "sondar/themes.h"

#include <algorithm>
#include <cmath>

#include "json_reader.h"
#include "sondar/query.h"

namespace sondar {
namespace {

// The default list: one document, so a site's own list (the same schema) is
// read by the same code.
constexpr std::string_view kDefaultThemes =
    R"json({"schema": "sondar.themes/1", "themes": [
 {"id": "delivery",
  "label": {"en": "Delivery", "es": "Entrega", "fr": "Livraison", "de": "Lieferung", "it": "Consegna", "pt": "Entrega", "nl": "Levering", "ja": "配送", "zh": "配送", "ar": "التوصيل"},
  "words": ["deliver*", "shipping", "shipped", "shipment*", "arriv*", "late", "courier*", "parcel*", "package*", "dispatch*", "tracking",
            "entrega*", "envío", "envio", "paquete*", "llegó", "llego", "retraso*", "mensajer*",
            "livr*", "colis", "expédi*", "expedi*", "retard*", "transporteur*",
            "liefer*", "versand*", "paket*", "zustell*", "verspät*", "verspat*", "angekommen",
            "consegn*", "spedizion*", "pacco", "corriere", "ritardo",
            "encomenda*", "pacote*", "atraso*", "chegou",
            "lever*", "bezorg*", "verzend*", "pakket*", "vertraag*",
            "配送", "配達", "発送", "届", "快递", "发货", "物流", "送货",
            "توصيل", "شحن", "الطرد", "تأخر", "التسليم"]},
 {"id": "price",
  "label": {"en": "Price", "es": "Precio", "fr": "Prix", "de": "Preis", "it": "Prezzo", "pt": "Preço", "nl": "Prijs", "ja": "価格", "zh": "价格", "ar": "السعر"},
  "words": ["price*", "pricing", "expensive", "cost*", "cheap", "cheaper", "discount*", "coupon*", "promo*", "overpriced",
            "precio*", "caro", "cara", "barato", "descuento*", "cupón",
            "prix", "cher", "chère", "chers", "coût*", "réduction*",
            "preis*", "teuer*", "billig*", "rabatt*", "gutschein*", "kosten",
            "prezz*", "costos*", "sconto", "sconti",
            "preço*", "preco*", "desconto*",
            "prijs*", "prijzen", "duur", "goedkoop", "korting*",
            "価格", "値段", "高い", "安い", "割引", "价格", "贵", "便宜", "折扣", "优惠",
            "سعر", "أسعار", "غالي", "رخيص", "خصم"]},
 {"id": "quality",
  "label": {"en": "Product quality", "es": "Calidad del producto", "fr": "Qualité du produit", "de": "Produktqualität", "it": "Qualità del prodotto", "pt": "Qualidade do produto", "nl": "Productkwaliteit", "ja": "品質", "zh": "产品质量", "ar": "جودة المنتج"},
  "words": ["quality", "broke", "broken", "damag*", "defect*", "faulty", "material*", "stitch*", "torn", "flimsy",
            "calidad", "roto", "rota", "dañad*",
            "qualité", "cassé*", "abîmé*", "défect*", "matière*",
            "qualität", "kaputt", "beschädigt*", "defekt*",
            "qualità", "rotto", "rotta", "difett*", "danneggiat*",
            "qualidade", "quebrad*", "defeito*", "danificad*",
            "kwaliteit", "kapot", "beschadigd*",
            "品質", "壊れ", "不良", "质量", "品质", "破损", "瑕疵",
            "جودة", "مكسور", "تالف", "عيب"]},
 {"id": "size",
  "label": {"en": "Size and fit", "es": "Talla y ajuste", "fr": "Taille et coupe", "de": "Größe und Passform", "it": "Taglia e vestibilità", "pt": "Tamanho e caimento", "nl": "Maat en pasvorm", "ja": "サイズ", "zh": "尺码", "ar": "المقاس"},
  "words": ["size*", "fit", "fits", "fitting", "tight", "loose", "too big", "too small",
            "talla*", "tamaño*", "ajust*",
            "taille*", "serré*", "coupe",
            "größe*", "grösse*", "passt", "passform", "eng",
            "taglia*", "misura", "vestibilità", "stretto", "stretta",
            "tamanho*", "apertad*", "folgad*",
            "maat", "maten", "pasvorm", "strak",
            "サイズ", "きつ", "尺码", "尺寸", "合身",
            "مقاس", "المقاس", "ضيق"]},
 {"id": "checkout",
  "label": {"en": "Checkout and payment", "es": "Pago", "fr": "Commande et paiement", "de": "Kasse und Zahlung", "it": "Cassa e pagamento", "pt": "Pagamento", "nl": "Afrekenen en betalen", "ja": "決済", "zh": "结账和支付", "ar": "الدفع"},
  "words": ["checkout", "payment*", "pay", "paid", "card", "paypal", "declin*", "billing",
            "pago*", "pagar", "tarjeta*",
            "paiement*", "payer", "carte",
            "bezahl*", "zahlung*", "kasse", "karte",
            "pagament*", "pagare", "carta", "cassa",
            "pagamento*", "cartão",
            "betal*", "afreken*", "kaart",
            "支払", "決済", "カード", "支付", "付款", "结账", "信用卡",
            "الدفع", "دفع", "بطاقة"]},
 {"id": "returns",
  "label": {"en": "Returns", "es": "Devoluciones", "fr": "Retours", "de": "Rücksendungen", "it": "Resi", "pt": "Devoluções", "nl": "Retouren", "ja": "返品", "zh": "退货", "ar": "الإرجاع"},
  "words": ["return*", "refund*", "exchang*",
            "devoluci*", "devolver", "reembols*",
            "retour*", "rembours*", "échange*",
            "rücksend*", "erstatt*", "umtausch*",
            "reso", "resi", "rimbors*", "restitu*",
            "devoluç*", "troca",
            "terugbetal*", "ruil*", "terugstur*",
            "返品", "返金", "交換", "退货", "退款", "换货",
            "إرجاع", "استرجاع", "استرداد", "استبدال"]},
 {"id": "support",
  "label": {"en": "Support", "es": "Atención al cliente", "fr": "Service client", "de": "Kundenservice", "it": "Assistenza", "pt": "Atendimento", "nl": "Klantenservice", "ja": "サポート", "zh": "客服", "ar": "الدعم"},
  "words": ["support", "service", "help*", "agent*", "staff", "contact*", "chat",
            "atención", "servicio", "ayuda", "soporte",
            "conseill*", "aide",
            "kundenservice", "hilfe",
            "assistenza", "servizio", "aiuto", "supporto",
            "atendimento", "suporte", "ajuda", "serviço",
            "klantenservice", "hulp", "ondersteuning",
            "サポート", "対応", "問い合わせ", "客服", "售后", "服务",
            "الدعم", "خدمة العملاء", "مساعدة"]},
 {"id": "website",
  "label": {"en": "Website", "es": "Sitio web", "fr": "Site web", "de": "Website", "it": "Sito web", "pt": "Site", "nl": "Website", "ja": "サイト", "zh": "网站", "ar": "الموقع"},
  "words": ["website", "site", "app", "page*", "search*", "filter*", "navigat*", "slow", "load*", "bug*", "crash*", "login", "password",
            "web", "página*", "sitio", "aplicación", "buscador", "lent*",
            "appli*", "recherche*",
            "webseite", "seite", "suche", "langsam", "fehler*",
            "sito", "pagina*", "ricerca",
            "aplicativo", "busca",
            "zoek*", "traag",
            "サイト", "ウェブ", "アプリ", "検索", "ページ", "网站", "网页", "搜索", "页面",
            "الموقع", "موقع", "التطبيق", "تطبيق", "البحث"]}
]})json";

bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// Lower-case words of `text` joined by single spaces, with a space before and
// after: " the parcel was late ". ASCII and Latin-1 letters are folded (the
// second byte of U+00C0..U+00DE, but for the multiplication sign).
// Bytes of a punctuation or space character outside ASCII at `i` (no-break
// space, « », ¿ ¡, general punctuation, CJK and full-width punctuation), or 0.
std::size_t PunctuationAt(std::string_view text, std::size_t i) {
  auto at = [&](std::size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  const unsigned char a = at(0), b = at(1), c = at(2);
  if (a == 0xC2 && b >= 0xA0 && b <= 0xBF) return 2;  // U+00A0..U+00BF
  if (a == 0xE2 && (b == 0x80 || b == 0x81) && c >= 0x80) return 3;
  if (a == 0xE3 && b == 0x80 && c >= 0x80 && c <= 0xBF) return 3;  // U+3000..
  if (a == 0xEF && b == 0xBC &&
      ((c >= 0x81 && c <= 0x8F) || (c >= 0x9A && c <= 0xA0)))
    return 3;  // full-width ! .. / and : .. @
  return 0;
}

std::string Normalize(std::string_view text) {
  std::string out = " ";
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (const std::size_t skip = PunctuationAt(text, i)) {
      if (in_word) out += ' ';
      in_word = false;
      i += skip - 1;
      continue;
    }
    if (!IsWordByte(c)) {
      if (in_word) out += ' ';
      in_word = false;
      continue;
    }
    in_word = true;
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
    if (c == 0xC3 && i + 1 < text.size()) {
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) next += 0x20;
      out += static_cast<char>(c);
      out += static_cast<char>(next);
      ++i;
      continue;
    }
    out += static_cast<char>(c);
  }
  if (in_word) out += ' ';
  return out;
}

// Scripts written without spaces between words (Chinese, Japanese) or with
// articles and prefixes attached (Arabic): lead bytes of U+0600 and above.
bool MatchesAnywhere(std::string_view word) {
  return std::any_of(word.begin(), word.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0xD8 && b < 0xF8 && b != 0xE2;  // not U+2000.. punctuation
  });
}

// What a keyword looks for in a normalized text: " w " for a whole word or
// phrase, " w" for a prefix, "w" in a script matched anywhere; "" for none.
std::string Needle(std::string_view word) {
  if (word.empty()) return "";
  const bool prefix = word.back() == '*';
  if (prefix) word.remove_suffix(1);
  std::string needle = Normalize(word);
  if (needle.size() < 3) return "";
  if (MatchesAnywhere(word)) return needle.substr(1, needle.size() - 2);
  if (prefix) needle.pop_back();
  return needle;
}

}  // namespace

Result<std::vector<Theme>> ParseThemes(const Json& doc) {
  Errors errors;
  internal::Reader r(&errors);
  std::vector<Theme> themes;
  if (!r.ExpectObject(doc, "")) return errors;
  r.CheckKeys(doc, "", "$schema schema themes");
  if (auto schema = r.String(doc, "", "schema", true);
      schema && *schema != kThemesSchema) {
    r.Fail(ErrorCode::kInvalidValue, "schema",
           SONDAR_MESSAGE("must be \"" + std::string(kThemesSchema) + "\""));
  }
  const Json* list = r.Array(doc, "", "themes", true);
  if (list && list->size() > kMaxThemes) {
    r.Fail(ErrorCode::kTooLarge, "themes",
           SONDAR_MESSAGE("has more than " + internal::Str(kMaxThemes) +
                          " themes"));
  } else if (list) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = internal::PathIndex("themes", i);
      const Json& t = (*list)[i];
      if (!r.ExpectObject(t, path)) continue;
      r.CheckKeys(t, path, "id label words");
      Theme theme;
      if (auto id = r.String(t, path, "id", true)) {
        if (id->empty() || id->size() > 64 ||
            !std::all_of(id->begin(), id->end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_';
            })) {
          r.Fail(ErrorCode::kInvalidValue, internal::PathKey(path, "id"),
                 SONDAR_MESSAGE("must be 1-64 of a-z, 0-9, - and _"));
        } else if (std::any_of(themes.begin(), themes.end(),
                               [&](const Theme& o) { return o.id == *id; })) {
          r.Fail(ErrorCode::kDuplicateId, internal::PathKey(path, "id"),
                 SONDAR_MESSAGE("is used by another theme"));
        }
        theme.id = *id;
      }
      if (const Json* label = r.Field(t, path, "label", true)) {
        if (label->is_string()) {
          theme.label.Set("", label->as_string());
        } else if (label->is_object()) {
          for (const auto& [locale, text] : label->as_object())
            if (text.is_string()) theme.label.Set(locale, text.as_string());
        } else {
          r.Fail(ErrorCode::kWrongType, internal::PathKey(path, "label"),
                 SONDAR_MESSAGE("must be a string or a {locale: text} object"));
        }
      }
      if (const Json* words = r.Array(t, path, "words", true)) {
        for (std::size_t w = 0; w < words->size(); ++w) {
          const Json& word = (*words)[w];
          const std::string at =
              internal::PathIndex(internal::PathKey(path, "words"), w);
          if (!word.is_string() || word.as_string().empty() ||
              word.as_string().size() > 64 || word.as_string() == "*") {
            r.Fail(
                ErrorCode::kInvalidValue, at,
                SONDAR_MESSAGE(
                    "must be a word of 1-64 bytes, or a start of one with *"));
            continue;
          }
          theme.words.push_back(word.as_string());
          if (std::string needle = Needle(word.as_string()); !needle.empty())
            theme.needles.push_back(std::move(needle));
        }
        if (words->size() > kMaxThemeWords)
          r.Fail(ErrorCode::kTooLarge, internal::PathKey(path, "words"),
                 SONDAR_MESSAGE("has more than " +
                                internal::Str(kMaxThemeWords) + " words"));
      }
      themes.push_back(std::move(theme));
    }
  }
  if (!errors.empty()) return errors;
  return themes;
}

const Json& DefaultThemesDocument() {
  static const Json* doc = new Json(ParseJson(kDefaultThemes).value());
  return *doc;
}

const std::vector<Theme>& DefaultThemes() {
  static const auto* themes =
      new std::vector<Theme>(ParseThemes(DefaultThemesDocument()).value());
  return *themes;
}

std::vector<std::string> TagThemes(const std::vector<Theme>& themes,
                                   std::string_view text) {
  const std::string normalized = Normalize(text);
  std::vector<std::string> out;
  for (const Theme& theme : themes) {
    if (std::any_of(theme.needles.begin(), theme.needles.end(),
                    [&](const std::string& n) {
                      return normalized.find(n) != std::string::npos;
                    }))
      out.push_back(theme.id);
  }
  return out;
}

std::string ThemesOf(const std::vector<Theme>& themes, const Survey& version,
                     const Json& payload) {
  return ThemesOf(themes, CommentsOf(version, payload));
}

std::string ThemesOf(const std::vector<Theme>& themes,
                     const std::vector<Comment>& comments) {
  if (comments.empty()) return "";
  std::string words;
  for (const Comment& c : comments) {
    words += c.text;
    words += '\n';
  }
  std::string out = "c";
  for (const std::string& id : TagThemes(themes, words)) {
    out += ',';
    out += id;
  }
  return out;
}

bool MentionsTheme(std::string_view themes, std::string_view id) {
  // "c,delivery,price"
  std::size_t at = 0;
  while ((at = themes.find(id, at)) != std::string_view::npos) {
    const bool starts = at > 0 && themes[at - 1] == ',';
    const bool ends =
        at + id.size() == themes.size() || themes[at + id.size()] == ',';
    if (starts && ends) return true;
    at += id.size();
  }
  return false;
}

ThemeAggregate::ThemeAggregate(const SurveyVersions& versions,
                               std::vector<Theme> themes)
    : themes_(std::move(themes)) {
  by_theme_.reserve(themes_.size());
  for (std::size_t i = 0; i < themes_.size(); ++i)
    by_theme_.emplace_back(versions);
}

void ThemeAggregate::Add(int version, const ResponseRecord& record,
                         std::uint64_t times) {
  if (!Commented(record.themes)) return;
  commented_ += times;
  ResponseRecord copy = record;
  for (std::size_t i = 0; i < themes_.size(); ++i) {
    copy.segment =
        MentionsTheme(record.themes, themes_[i].id) ? "mentions" : "rest";
    by_theme_[i].Add(version, copy, times);
  }
}

Json ThemeAggregate::Summary(std::string_view locale, double confidence) const {
  Json out = Json::array();
  for (std::size_t i = 0; i < themes_.size(); ++i) {
    const Json s = by_theme_[i].Summary(confidence);
    const Json& mentions = s["bySegment"]["mentions"];
    const std::int64_t commented = s["responses"]["total"].as_int();
    const std::int64_t n =
        mentions.is_null() ? 0 : mentions["responses"]["total"].as_int();
    Json theme = {
        {"id", themes_[i].id},
        {"label", themes_[i].label.Resolve(locale, "en")},
        {"comments", n},
        {"share", commented ? std::round(10000.0 * static_cast<double>(n) /
                                         static_cast<double>(commented)) /
                                  100
                            : 0.0}};
    for (const char* key : {"nps", "csat", "ces"}) {
      if (!mentions.is_null() && !mentions[key].is_null()) {
        theme[key] = {{"score", mentions[key]["score"]},
                      {"ci_low", mentions[key]["ci_low"]},
                      {"ci_high", mentions[key]["ci_high"]},
                      {"n", mentions[key]["n"]}};
      }
    }
    theme["vsRest"] = mentions.is_null() ? Json::object() : mentions["vsRest"];
    out.push_back(std::move(theme));
  }
  return out;
}

}  // namespace sondar
