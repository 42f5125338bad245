# ruff: noqa: RUF001 - texts in six languages (Cyrillic letters, typographic apostrophes)
"""The pages every instance starts with, in the six languages: admins edit them at /admin/pages.

Privacy and terms are placeholders for the instance's own texts (another change versions them)."""

from __future__ import annotations

# slug: ({language: title}, {language: Markdown body})
DEFAULT_PAGES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "help": ({
        "en": "Help", "de": "Hilfe", "fr": "Aide", "es": "Ayuda", "it": "Aiuto", "bg": "Помощ",
    }, {
        "en": "## Taking part\n\n1. Create an account and confirm your email address.\n"
              "2. Show that you live in your area: with your postcode, a letter code or by meeting a moderator.\n"
              "3. Propose ideas, support the ones you like and discuss them in the comments.\n\n"
              "What you can do depends on the phase a process is in: each process page says what is open now.",
        "de": "## Mitmachen\n\n1. Legen Sie ein Konto an und bestätigen Sie Ihre E-Mail-Adresse.\n"
              "2. Zeigen Sie, dass Sie in Ihrem Gebiet wohnen: mit Ihrer Postleitzahl, einem Briefcode oder bei "
              "einem Treffen mit einer Moderatorin oder einem Moderator.\n"
              "3. Schlagen Sie Ideen vor, unterstützen Sie die, die Ihnen gefallen, und diskutieren Sie sie in "
              "den Kommentaren.\n\n"
              "Was Sie tun können, hängt von der Phase eines Prozesses ab: Jede Prozessseite sagt, was gerade "
              "offen ist.",
        "fr": "## Participer\n\n1. Créez un compte et confirmez votre adresse e-mail.\n"
              "2. Montrez que vous habitez le quartier : avec votre code postal, un code reçu par courrier ou "
              "en rencontrant un modérateur.\n"
              "3. Proposez des idées, soutenez celles qui vous plaisent et discutez-en dans les commentaires.\n\n"
              "Ce que vous pouvez faire dépend de la phase du processus : chaque page de processus indique ce "
              "qui est ouvert en ce moment.",
        "es": "## Participar\n\n1. Cree una cuenta y confirme su dirección de correo electrónico.\n"
              "2. Demuestre que vive en su zona: con su código postal, un código enviado por carta o "
              "reuniéndose con un moderador.\n"
              "3. Proponga ideas, apoye las que le gusten y debátalas en los comentarios.\n\n"
              "Lo que puede hacer depende de la fase del proceso: cada página de proceso indica qué está "
              "abierto ahora.",
        "it": "## Partecipare\n\n1. Crea un account e conferma il tuo indirizzo e-mail.\n"
              "2. Dimostra di abitare nella tua area: con il codice postale, un codice ricevuto per lettera o "
              "incontrando un moderatore.\n"
              "3. Proponi idee, sostieni quelle che ti piacciono e discutine nei commenti.\n\n"
              "Cosa puoi fare dipende dalla fase del processo: ogni pagina di processo indica cosa è aperto "
              "adesso.",
        "bg": "## Участие\n\n1. Създайте профил и потвърдете имейл адреса си.\n"
              "2. Покажете, че живеете в района: с пощенския си код, код от писмо или при среща с модератор.\n"
              "3. Предлагайте идеи, подкрепяйте харесаните и ги обсъждайте в коментарите.\n\n"
              "Какво можете да правите зависи от фазата на процеса: всяка страница на процес казва какво е "
              "отворено в момента.",
    }),
    "faq": ({
        "en": "Frequently asked questions", "de": "Häufige Fragen", "fr": "Questions fréquentes",
        "es": "Preguntas frecuentes", "it": "Domande frequenti", "bg": "Често задавани въпроси",
    }, {
        "en": "### Who can support proposals?\n\nVerified residents of the area.\n\n"
              "### What happens to my proposal?\n\nModerators review it and give it a status; the city answers "
              "officially, and the ideas go into a governance report.\n\n"
              "### Can I change my language?\n\nYes: choose it at the top of any page.",
        "de": "### Wer kann Vorschläge unterstützen?\n\nVerifizierte Bewohnerinnen und Bewohner des Gebiets.\n\n"
              "### Was passiert mit meinem Vorschlag?\n\nModeratorinnen und Moderatoren prüfen ihn und geben "
              "ihm einen Status; die Stadt antwortet offiziell, und die Ideen fließen in einen Bericht ein.\n\n"
              "### Kann ich meine Sprache ändern?\n\nJa: Wählen Sie sie oben auf jeder Seite.",
        "fr": "### Qui peut soutenir des propositions ?\n\nLes habitants vérifiés du quartier.\n\n"
              "### Que devient ma proposition ?\n\nLes modérateurs l’examinent et lui donnent un statut ; la "
              "ville répond officiellement et les idées alimentent un rapport de gouvernance.\n\n"
              "### Puis-je changer de langue ?\n\nOui : choisissez-la en haut de chaque page.",
        "es": "### ¿Quién puede apoyar propuestas?\n\nLos vecinos verificados de la zona.\n\n"
              "### ¿Qué pasa con mi propuesta?\n\nLos moderadores la revisan y le asignan un estado; la ciudad "
              "responde oficialmente y las ideas pasan a un informe de gobernanza.\n\n"
              "### ¿Puedo cambiar de idioma?\n\nSí: elíjalo en la parte superior de cualquier página.",
        "it": "### Chi può sostenere le proposte?\n\nI residenti verificati dell’area.\n\n"
              "### Che cosa succede alla mia proposta?\n\nI moderatori la esaminano e le assegnano uno stato; la "
              "città risponde ufficialmente e le idee confluiscono in un rapporto.\n\n"
              "### Posso cambiare lingua?\n\nSì: sceglila in alto su ogni pagina.",
        "bg": "### Кой може да подкрепя предложения?\n\nПотвърдените жители на района.\n\n"
              "### Какво става с моето предложение?\n\nМодераторите го преглеждат и му дават статус; градът "
              "отговаря официално, а идеите влизат в доклад.\n\n"
              "### Мога ли да сменя езика?\n\nДа: изберете го в горната част на всяка страница.",
    }),
    "privacy": ({
        "en": "Privacy", "de": "Datenschutz", "fr": "Confidentialité", "es": "Privacidad", "it": "Privacy",
        "bg": "Поверителност",
    }, {
        "en": "We keep only what the platform needs: your email address, your name as you chose it and what you "
              "write here. Figures that leave the platform are anonymised.",
        "de": "Wir speichern nur, was die Plattform braucht: Ihre E-Mail-Adresse, Ihren selbst gewählten Namen "
              "und was Sie hier schreiben. Zahlen, die die Plattform verlassen, sind anonymisiert.",
        "fr": "Nous ne conservons que ce dont la plateforme a besoin : votre adresse e-mail, le nom que vous avez "
              "choisi et ce que vous écrivez ici. Les chiffres publiés sont anonymisés.",
        "es": "Solo guardamos lo que la plataforma necesita: su correo electrónico, el nombre que eligió y lo "
              "que escribe aquí. Las cifras que salen de la plataforma están anonimizadas.",
        "it": "Conserviamo solo ciò che serve alla piattaforma: il tuo indirizzo e-mail, il nome che hai scelto "
              "e ciò che scrivi qui. I dati che escono dalla piattaforma sono anonimizzati.",
        "bg": "Пазим само необходимото за платформата: имейл адреса ви, избраното от вас име и това, което "
              "пишете тук. Данните, които напускат платформата, са анонимизирани.",
    }),
    "terms": ({
        "en": "Terms of use", "de": "Nutzungsbedingungen", "fr": "Conditions d’utilisation",
        "es": "Condiciones de uso", "it": "Condizioni d’uso", "bg": "Условия за ползване",
    }, {
        "en": "Be respectful, write about your neighbourhood and do not share other people's personal data. "
              "Moderators may hide content that breaks these rules and tell you why.",
        "de": "Bleiben Sie respektvoll, schreiben Sie über Ihr Viertel und teilen Sie keine persönlichen Daten "
              "anderer. Moderatorinnen und Moderatoren können Inhalte, die gegen diese Regeln verstoßen, "
              "ausblenden und sagen Ihnen, warum.",
        "fr": "Restez respectueux, écrivez à propos de votre quartier et ne partagez pas les données "
              "personnelles d’autrui. Les modérateurs peuvent masquer un contenu contraire à ces règles et vous "
              "en expliquer la raison.",
        "es": "Sea respetuoso, escriba sobre su barrio y no comparta datos personales de otras personas. Los "
              "moderadores pueden ocultar el contenido que incumpla estas normas y le explicarán por qué.",
        "it": "Sii rispettoso, scrivi del tuo quartiere e non condividere dati personali altrui. I moderatori "
              "possono nascondere i contenuti che violano queste regole e ti spiegheranno perché.",
        "bg": "Бъдете уважителни, пишете за своя квартал и не споделяйте лични данни на други хора. "
              "Модераторите могат да скрият съдържание, което нарушава тези правила, и ще ви обяснят защо.",
    }),
}
