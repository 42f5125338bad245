"""A labelled set of proposals and comments for measuring theme suggestions.

Residents write in six languages about the shared categories; they name and @mention each other, paste
links and numbers, and sometimes stray into another subject. Every text knows its category (a comment
takes its proposal's), so a grouping can be scored against the truth. Same seed, same texts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Per category and language: plural or mass noun phrases that read well in every frame below.
PHRASES: dict[str, dict[str, list[str]]] = {
    "mobility": {
        "en": ["safe bike lanes", "covered bike racks", "car-sharing stations", "more frequent trams",
               "bus shelters with seats", "traffic-calmed school streets"],
        "de": ["sichere Radwege", "überdachte Fahrradständer", "Carsharing-Stationen", "häufigere Straßenbahnen",
               "Bushaltestellen mit Sitzbänken", "verkehrsberuhigte Schulstraßen"],
        "fr": ["pistes cyclables sécurisées", "parkings à vélos couverts", "stations d'autopartage",
               "tramways plus fréquents", "abribus avec des sièges", "rues scolaires apaisées"],
        "es": ["carriles bici seguros", "aparcamientos cubiertos para bicicletas", "estaciones de coche compartido",
               "tranvías más frecuentes", "marquesinas de autobús con asientos", "calles escolares sin tráfico"],
        "it": ["piste ciclabili sicure", "rastrelliere coperte per biciclette", "stazioni di car sharing",
               "tram più frequenti", "pensiline degli autobus con sedute", "strade scolastiche senza traffico"],
        "bg": ["безопасни велоалеи", "покрити стойки за велосипеди", "станции за споделени автомобили",
               "по-чести трамваи", "автобусни спирки с места за сядане", "спокойни улици около училищата"],
    },
    "refurbishment": {
        "en": ["insulated facades", "new double-glazed windows", "renovated stairwells",
               "insulated roofs on old blocks", "modern heating in old buildings", "renovated apartment blocks"],
        "de": ["gedämmte Fassaden", "neue Fenster mit Doppelverglasung", "sanierte Treppenhäuser",
               "gedämmte Dächer der Altbauten", "moderne Heizungen in Altbauten", "sanierte Wohnblöcke"],
        "fr": ["façades isolées", "nouvelles fenêtres à double vitrage", "cages d'escalier rénovées",
               "toitures isolées des vieux immeubles", "chauffages modernes dans les immeubles anciens",
               "barres d'immeubles rénovées"],
        "es": ["fachadas aisladas", "ventanas nuevas de doble acristalamiento", "escaleras renovadas",
               "tejados aislados en los bloques antiguos", "calefacciones modernas en edificios antiguos",
               "bloques de pisos rehabilitados"],
        "it": ["facciate isolate", "nuove finestre con doppi vetri", "scale condominiali ristrutturate",
               "tetti isolati dei vecchi palazzi", "riscaldamento moderno negli edifici vecchi",
               "condomini ristrutturati"],
        "bg": ["изолирани фасади", "нови прозорци с двоен стъклопакет", "ремонтирани стълбища",
               "изолирани покриви на старите блокове", "модерно отопление в старите сгради",
               "санирани жилищни блокове"],
    },
    "renewable_energy": {
        "en": ["solar panels on school roofs", "community solar cooperatives", "heat pumps running on waste heat",
               "small wind turbines", "solar thermal collectors", "green electricity made in the district"],
        "de": ["Solaranlagen auf Schuldächern", "Bürgersolar-Genossenschaften", "Wärmepumpen mit Abwärme",
               "kleine Windräder", "Solarthermie-Kollektoren", "Ökostrom aus dem Viertel"],
        "fr": ["panneaux solaires sur les toits des écoles", "coopératives solaires citoyennes",
               "pompes à chaleur sur la chaleur fatale", "petites éoliennes", "capteurs solaires thermiques",
               "électricité verte produite dans le quartier"],
        "es": ["paneles solares en los tejados de las escuelas", "cooperativas solares vecinales",
               "bombas de calor con calor residual", "pequeños aerogeneradores", "colectores solares térmicos",
               "electricidad verde producida en el barrio"],
        "it": ["pannelli solari sui tetti delle scuole", "cooperative solari di quartiere",
               "pompe di calore con calore di scarto", "piccole pale eoliche", "collettori solari termici",
               "energia verde prodotta nel quartiere"],
        "bg": ["соларни панели на покривите на училищата", "квартални соларни кооперации",
               "термопомпи с отпадна топлина", "малки вятърни турбини", "слънчеви колектори за топла вода",
               "зелена електроенергия от квартала"],
    },
    "energy_efficiency": {
        "en": ["smart meters in every flat", "energy-saving advice for tenants", "efficient boilers",
               "displays of heating consumption", "energy-saving contests between households",
               "programmable thermostats"],
        "de": ["intelligente Stromzähler in jeder Wohnung", "Energiesparberatung für Mieter", "effiziente Heizkessel",
               "Anzeigen des Heizverbrauchs", "Energiesparwettbewerbe zwischen Haushalten",
               "programmierbare Thermostate"],
        "fr": ["compteurs intelligents dans chaque logement", "conseils d'économie d'énergie pour les locataires",
               "chaudières performantes", "affichages de la consommation de chauffage",
               "défis d'économie d'énergie entre foyers", "thermostats programmables"],
        "es": ["contadores inteligentes en cada vivienda", "asesoría de ahorro energético para inquilinos",
               "calderas eficientes", "pantallas del consumo de calefacción",
               "concursos de ahorro energético entre hogares", "termostatos programables"],
        "it": ["contatori intelligenti in ogni appartamento", "consulenza sul risparmio energetico per gli inquilini",
               "caldaie efficienti", "display dei consumi di riscaldamento",
               "gare di risparmio energetico tra famiglie", "termostati programmabili"],
        "bg": ["умни електромери във всеки апартамент", "съвети за пестене на енергия за наемателите",
               "ефективни котли", "дисплеи за потреблението на отопление",
               "състезания за пестене на енергия между домакинствата", "програмируеми термостати"],
    },
    "street_lighting": {
        "en": ["dimmable LED street lights", "brighter lamps in the underpass", "motion-sensor lights on footpaths",
               "lit pedestrian crossings", "smart lamp posts", "well-lit bus stops at night"],
        "de": ["dimmbare LED-Straßenlaternen", "hellere Lampen in der Unterführung",
               "Leuchten mit Bewegungsmelder an Fußwegen", "beleuchtete Zebrastreifen", "intelligente Lichtmasten",
               "nachts gut beleuchtete Haltestellen"],
        "fr": ["lampadaires LED à intensité variable", "éclairages plus forts dans le passage souterrain",
               "luminaires à détecteur de mouvement sur les chemins", "passages piétons éclairés",
               "lampadaires intelligents", "arrêts de bus bien éclairés la nuit"],
        "es": ["farolas LED regulables", "luces más potentes en el paso subterráneo",
               "luminarias con sensor de movimiento en los caminos", "pasos de peatones iluminados",
               "farolas inteligentes", "paradas bien iluminadas de noche"],
        "it": ["lampioni LED regolabili", "luci più forti nel sottopasso",
               "lampade con sensore di movimento sui percorsi pedonali", "strisce pedonali illuminate",
               "lampioni intelligenti", "fermate ben illuminate di notte"],
        "bg": ["регулируеми LED улични лампи", "по-ярко осветление в подлеза", "лампи със сензор за движение по алеите",
               "осветени пешеходни пътеки", "интелигентни улични стълбове", "добре осветени спирки през нощта"],
    },
    "housing": {
        "en": ["affordable rents for families", "social housing", "shared flats for students",
               "flats for older residents", "protection against evictions", "housing cooperatives"],
        "de": ["bezahlbare Mieten für Familien", "Sozialwohnungen", "Wohngemeinschaften für Studierende",
               "altersgerechte Wohnungen", "Schutz vor Zwangsräumungen", "Wohnbaugenossenschaften"],
        "fr": ["loyers abordables pour les familles", "logements sociaux", "colocations pour étudiants",
               "logements adaptés aux personnes âgées", "protection contre les expulsions",
               "coopératives d'habitants"],
        "es": ["alquileres asequibles para familias", "viviendas sociales", "pisos compartidos para estudiantes",
               "viviendas para personas mayores", "protección contra los desahucios", "cooperativas de vivienda"],
        "it": ["affitti accessibili per le famiglie", "case popolari", "appartamenti condivisi per studenti",
               "alloggi per anziani", "tutela contro gli sfratti", "cooperative edilizie di abitazione"],
        "bg": ["достъпни наеми за семействата", "социални жилища", "общи квартири за студенти",
               "жилища за възрастни хора", "защита срещу изселване", "жилищни кооперации"],
    },
    "public_space": {
        "en": ["shady trees on the square", "benches and drinking fountains", "playgrounds for small children",
               "community gardens", "car-free squares", "green courtyards"],
        "de": ["schattige Bäume auf dem Platz", "Sitzbänke und Trinkbrunnen", "Spielplätze für kleine Kinder",
               "Gemeinschaftsgärten", "autofreie Plätze", "begrünte Innenhöfe"],
        "fr": ["arbres ombragés sur la place", "bancs et fontaines à boire", "aires de jeux pour les petits",
               "jardins partagés", "places sans voitures", "cours intérieures végétalisées"],
        "es": ["árboles de sombra en la plaza", "bancos y fuentes de agua potable", "parques infantiles",
               "huertos urbanos", "plazas sin coches", "patios verdes"],
        "it": ["alberi ombrosi in piazza", "panchine e fontanelle", "parchi giochi per i bambini",
               "orti condivisi", "piazze senza auto", "cortili verdi"],
        "bg": ["сенчести дървета на площада", "пейки и чешми за пиене", "детски площадки",
               "общностни градини", "площади без коли", "зелени вътрешни дворове"],
    },
    "data_ict": {
        "en": ["free public wifi", "open data on energy use", "air quality sensors", "digital noticeboards",
               "online dashboards of district data", "digital skills courses for seniors"],
        "de": ["kostenloses öffentliches WLAN", "offene Daten zum Energieverbrauch", "Sensoren für die Luftqualität",
               "digitale Infotafeln", "Online-Dashboards mit Quartiersdaten", "Digitalkurse für Senioren"],
        "fr": ["wifi public gratuit", "données ouvertes sur la consommation d'énergie",
               "capteurs de qualité de l'air", "panneaux d'information numériques",
               "tableaux de bord en ligne des données du quartier", "ateliers numériques pour les seniors"],
        "es": ["wifi público gratuito", "datos abiertos sobre el consumo de energía", "sensores de calidad del aire",
               "paneles informativos digitales", "cuadros de mando en línea con datos del barrio",
               "cursos digitales para mayores"],
        "it": ["wifi pubblico gratuito", "dati aperti sui consumi energetici", "sensori per la qualità dell'aria",
               "bacheche digitali", "cruscotti online con i dati del quartiere", "corsi di informatica per anziani"],
        "bg": ["безплатен обществен интернет", "отворени данни за потреблението на енергия",
               "сензори за качеството на въздуха", "дигитални информационни табла", "онлайн табла с данни за квартала",
               "компютърни курсове за възрастни"],
    },
}
CATEGORIES = tuple(PHRASES)
LANGUAGES = ("en", "de", "fr", "es", "it", "bg")

# {x}: a phrase, {place}: where. Frames every category shares, so their words separate nothing.
FRAMES = {
    "en": ["We need more {x} {place}.", "I propose {x} {place}.", "For years residents have asked for {x}.",
           "Our priority: {x}."],
    "de": ["Wir brauchen mehr {x} {place}.", "Ich schlage {x} {place} vor.", "Seit Jahren fordern die Anwohner {x}.",
           "Unsere Priorität: {x}."],
    "fr": ["Il nous faut plus de {x} {place}.", "Ma proposition : {x} {place}.",
           "Depuis des années, les habitants réclament plus de {x}.", "Notre priorité : {x}."],
    "es": ["Necesitamos más {x} {place}.", "Mi propuesta: {x} {place}.", "Hace años que los vecinos piden más {x}.",
           "Nuestra prioridad: {x}."],
    "it": ["Servono più {x} {place}.", "La mia proposta: {x} {place}.", "Da anni i residenti chiedono più {x}.",
           "La nostra priorità: {x}."],
    "bg": ["Нужни са ни повече {x} {place}.", "Предлагам {x} {place}.", "От години жителите искат повече {x}.",
           "Нашият приоритет: {x}."],
}
COMMENT_FRAMES = {
    "en": ["I support {x} {place}.", "{X}? Sounds expensive, but sensible.", "Agreed: {x} {place}, please."],
    "de": ["Ich unterstütze {x} {place}.", "{X}? Klingt teuer, aber sinnvoll.", "Unbedingt: {x} {place}."],
    "fr": ["Je soutiens l'idée : {x} {place}.", "{X} ? Ça paraît cher, mais utile.", "Tout à fait d'accord : {x}."],
    "es": ["Apoyo la idea: {x} {place}.", "¿{X}? Parece caro, pero útil.", "Totalmente de acuerdo: {x}."],
    "it": ["Sostengo l'idea: {x} {place}.", "{X}? Sembra costoso, ma utile.", "Pienamente d'accordo: {x}."],
    "bg": ["Подкрепям идеята: {x} {place}.", "{X}? Звучи скъпо, но е полезно.", "Напълно съм съгласен: {x}."],
}
PLACES = {
    "en": ["near the school", "on Main Street", "by the market", "in the park", "at the station", "on Church Square"],
    "de": ["bei der Schule", "an der Hauptstraße", "am Markt", "im Park", "am Bahnhof", "am Kirchplatz"],
    "fr": ["près de l'école", "rue principale", "près du marché", "dans le parc", "à la gare", "place de l'église"],
    "es": ["cerca de la escuela", "en la calle mayor", "junto al mercado", "en el parque", "en la estación",
           "en la plaza de la iglesia"],
    "it": ["vicino alla scuola", "in via principale", "vicino al mercato", "nel parco", "alla stazione",
           "in piazza della chiesa"],
    "bg": ["до училището", "на главната улица", "до пазара", "в парка", "на гарата", "на площада до църквата"],
}
# Texts that name someone ({name}: a first name) or carry no subject at all.
ASIDES = {
    "en": ["As {name} said, this is overdue.", "Thanks {name}!", "{name} and I talked about this last week."],
    "de": ["Wie {name} schon sagte, das ist überfällig.", "Danke {name}!", "{name} und ich haben darüber gesprochen."],
    "fr": ["Comme l'a dit {name}, c'est urgent.", "Merci {name} !",
           "{name} et moi en avons parlé la semaine dernière."],
    "es": ["Como dijo {name}, ya es hora.", "¡Gracias, {name}!", "{name} y yo lo hablamos la semana pasada."],
    "it": ["Come ha detto {name}, è ora.", "Grazie {name}!", "{name} e io ne abbiamo parlato la settimana scorsa."],
    "bg": ["Както каза {name}, крайно време е.", "Благодаря, {name}!", "С {name} говорихме за това миналата седмица."],
}
EMPTY = {"en": "Great idea!", "de": "Tolle Idee!", "fr": "Bonne idée !", "es": "¡Buena idea!", "it": "Ottima idea!",
         "bg": "Чудесна идея!"}
SIGNED = {"en": "{n} neighbours signed already.", "de": "{n} Nachbarn haben schon unterschrieben.",
          "fr": "{n} voisins ont déjà signé.", "es": "Ya han firmado {n} vecinos.",
          "it": "Hanno già firmato {n} vicini.", "bg": "Вече подписаха {n} съседи."}
NAMES = ["Ben Carter", "Anna Weber", "Giulia Rossi", "Camille Martin", "Lucía García", "Иван Петров", "Emma Wilson",
         "Lukas Becker", "Chloé Dubois", "Pablo Fernández", "Marco Bianchi", "Мария Георгиева", "Oliver Hughes",
         "Sophie Wagner", "Hugo Lefèvre", "Carmen Ruiz", "Chiara Romano", "Георги Димитров", "Grace Turner",
         "Jonas Hoffmann", "Louis Bernard", "Diego Moreno", "Luca Ferrari", "Елена Николова"]


@dataclass(frozen=True)
class Text:
    kind: str  # "proposal" or "comment"
    category: str
    language: str
    author: str  # the writer's display name
    title: str
    body: str
    proposal: int = -1  # a comment's proposal: its index among the proposals


@dataclass(frozen=True)
class Corpus:
    proposals: list[Text]
    comments: list[Text]
    names: list[str]

    @property
    def texts(self) -> list[Text]:
        return self.proposals + self.comments


class _Writer:
    def __init__(self, seed: int, language: str, others: float) -> None:
        self.rng = random.Random(seed)
        self.language, self.others = language, others
        # A few residents write and are named far more often than the rest, as on any platform.
        self.weights = [1 / (rank + 1) for rank in range(len(NAMES))]

    def person(self) -> str:
        return self.rng.choices(NAMES, self.weights)[0]

    def phrase(self, category: str, language: str) -> str:
        if self.rng.random() < 0.12:  # residents stray into another subject now and then
            category = self.rng.choice(CATEGORIES)
        return self.rng.choice(PHRASES[category][language])

    def fill(self, frame: str, category: str, language: str) -> str:
        x = self.phrase(category, language)
        return frame.format(x=x, X=x[:1].upper() + x[1:], place=self.rng.choice(PLACES[language]))

    def extras(self, language: str) -> list[str]:
        """The noise of real texts: names, mentions, links and numbers."""
        out = []
        if self.rng.random() < 0.35:
            out.append(self.rng.choice(ASIDES[language]).format(name=self.person().split()[0]))
        if self.rng.random() < 0.3:
            first, last = self.person().split()
            out.append("@" + self.rng.choice([first, f"{first}.{last}", first + last[:1]]).lower())
        if self.rng.random() < 0.15:
            out.append(f"https://example.org/plans/{self.rng.randrange(1, 999)}")
        if self.rng.random() < 0.2:
            out.append(SIGNED[language].format(n=self.rng.randrange(3, 400)))
        return out

    def pick_language(self) -> str:
        return self.rng.choice(LANGUAGES) if self.rng.random() < self.others else self.language

    def proposal(self, category: str) -> Text:
        language = self.pick_language()
        x = self.rng.choice(PHRASES[category][language])
        title = x[:1].upper() + x[1:]
        if self.rng.random() < 0.5:
            title += " " + self.rng.choice(PLACES[language])
        sentences = [self.fill(self.rng.choice(FRAMES[language]), category, language)
                     for _ in range(self.rng.randint(1, 3))]
        sentences += self.extras(language)
        self.rng.shuffle(sentences)
        return Text("proposal", category, language, self.person(), title, " ".join(sentences))

    def comment(self, index: int, on: Text) -> Text:
        language = on.language if self.rng.random() < 0.8 else self.pick_language()
        if self.rng.random() < 0.15:
            parts = [EMPTY[language]]
        else:
            parts = [self.fill(self.rng.choice(COMMENT_FRAMES[language]), on.category, language)]
        parts += self.extras(language)
        return Text("comment", on.category, language, self.person(), "", " ".join(parts), proposal=index)


def corpus(per_category: int = 30, comments_per_proposal: float = 2.0, *, language: str = "en",
           others: float = 0.2, seed: int = 2018, categories: tuple[str, ...] = CATEGORIES) -> Corpus:
    """``per_category`` proposals of each category, about ``comments_per_proposal`` comments on each; most
    texts in the area's ``language``, a share ``others`` in any project language (as residents write)."""
    writer = _Writer(seed, language, others)
    proposals = [writer.proposal(category) for category in categories for _ in range(per_category)]
    count = round(len(proposals) * comments_per_proposal)
    answered = sorted(writer.rng.randrange(len(proposals)) for _ in range(count))
    comments = [writer.comment(index, proposals[index]) for index in answered]
    return Corpus(proposals, comments, NAMES)
