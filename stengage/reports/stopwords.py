"""Words that carry no theme, in the project's languages: the grammar words of each language and the
words every contribution on a participation platform uses ("idea", "agree", "thanks").

Only words of three letters or more are listed: shorter words never become a suggestion's term.
The lists are short on purpose; words common to every text of a report are dropped by frequency.
"""

from __future__ import annotations

from functools import cache

_WORDS = {
    "en": """
        about above after again against all almost along already also although always among and another any
        anyone anything are around because been before being below between both but can cannot could did didn
        does doesn doing don done down during each either else even ever every everyone everything few for from
        further get gets getting got had has hasn have haven having her here hers herself him himself his how
        however into isn its itself just least less let lets like many may maybe might more most much must
        myself neither never nor not nothing now off often once one only onto other others our ours ourselves
        out over own per perhaps quite rather really same she should shouldn since some something still such
        than that the their theirs them themselves then there these they thing things this those though
        through thus too toward towards under until upon very was wasn were weren what when where whether which
        while who whom whose why will with within without won would wouldn yes yet you your yours yourself
        agree agreed awesome brilliant comment comments excellent good great idea ideas need needed needs nice
        please proposal proposals propose sound sounds suggest suggestion thank thanks think want wants
        actually especially enough extra long lot lots new newer whole
    """,
    "de": """
        aber alle allem allen aller alles als also andere anderen anderer anderes auch auf aus bei beim bin bis
        bist bitte dabei dadurch dafür dagegen daher damit dann daran darauf darf darin darum das dass dein deine
        dem den denn der des deshalb dessen die dies diese diesem diesen dieser dieses doch dort durch ein eine
        einem einen einer eines einige einmal etwa etwas euch euer für ganz gegen gibt habe haben hat hatte
        hätte hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer immer ins ist bereits jede jedem jeden jeder
        jedes jedoch jetzt kann kein keine keinen können könnte machen man manche mehr mein meine meinen mich
        mir mit muss müssen nach natürlich neben nicht nichts noch nun nur oder ohne schon sehr sein seine
        seinen seit sich sie sind soll sollen sollte sollten sondern sowie sogar trotz über und uns unser unsere
        unserem unseren unter viel viele vielleicht vom von vor während wäre wären war waren warum was wegen weil
        weiter welche wenn wer werden wie wieder will wir wird wollen wurde wurden würde würden zum zur zwischen
        danke dringend einverstanden finde gern gerne gut gute guter gutes idee ideen klingt nötig prima super
        toll tolle toller tolles unterstütze vorschlag vorschläge vorschlagen
        besonders bisschen endlich entlang lang lange längs neu neue neuen neuer neues wirklich zusätzlich
        zusätzliche zusätzlichen
    """,
    "fr": """
        aux aussi autre autres avait avec avoir avons bien car cela celle celui ces cet cette chaque chez comme
        jusqu lorsqu puisqu quelqu
        comment dans depuis des donc dont elle elles encore entre est été être fait faire faut ils les leur
        leurs lui mais même mes moi mon nos notre nous ont par parce pas peu peut peuvent plus pour pourquoi
        pourrait quand que quel quelle quelles quels quelque quelques qui quoi sans sera serait ses seulement
        son sont sous sur tous tout toute toutes très trop une vers vos votre vous
        accord bonne bon bravo excellente excellent idée idées merci oui paraît pense proposition propositions
        propose semble soutiens super
        beaucoup davantage déjà enfin long moins nouveau nouveaux nouvel nouvelle nouvelles vraiment
    """,
    "es": """
        algo algún alguna algunas alguno algunos allí así aquí cada como cómo con cuando cuándo del desde donde
        dónde durante ella ellas ellos entre esa esas ese eso esos esta está están estar estas este esto estos
        fue hace hacer han hasta hay las les los mis mucha muchas mucho muchos muy nos nosotros nuestra nuestras
        nuestro nuestros otra otras otro otros para pero poco podría por porque puede pueden qué quien sea
        sería ser sido sin sobre son sólo solo sus también tan tanto tiene tienen toda todas todo todos una
        uno unos unas vez
        acuerdo apoyo buena bueno creo excelente genial gracias idea ideas parece propongo propuesta propuestas
        además bastante demasiado largo mas más menos nueva nuevas nuevo nuevos realmente
    """,
    "it": """
        agli alla alle allo all anche ancora avere che chi come con cosa così dal dall dalla dalle dai degli dei del
        dell nell quell quest sull
        della delle dello dove dovrebbe era essere fare fra già gli hanno loro mia mio molta molte molti molto
        nei negli nel nella nelle nostra nostre nostri nostro non ogni perché però più poi potrebbe può quale
        quando quella quelle quelli quello questa queste questi questo sarebbe sempre senza siamo sono sopra
        sotto sua sue sui sul sulla sulle suo suoi tra tutta tutte tutti tutto una uno verso
        accordo brava bravo buona buon credo grazie idea idee ottima ottimo penso proposta proposte propongo sembra
        sostengo
        davvero inoltre lungo meno nuova nuove nuovi nuovo proprio solo soltanto
    """,
    "bg": """
        без беше би бил била били било бих бъде във въпреки вас вече вие все всеки всички всичко всяка всяко
        където докато дори дали заради защо защото има как какво както като кога когато кое кои кой която
        което които към между много може могат мен мене нас наш наша наше нашата нашия нашите него
        нея ние нещо нищо няма около освен още поради при през пред под само сме според сте също съм със там
        така те тези това този тази той тук тях чрез щеше
        благодаря добра добре добро добър звучи идеята идея искам искат мисля моля нужно нужни подкрепям
        предлагам предложение предложението смятам страхотна страхотно съгласен съгласна чудесна чудесно
        дълго доста наистина нов нова нови ново особено повече покрай протежение
    """,
}
LANGUAGES = tuple(_WORDS)


@cache
def stop_words(locale: str) -> frozenset[str]:
    """The area's language first, then every other project language: residents write in several."""
    language = locale.split("_")[0].split("-")[0].lower()
    words = set(_WORDS.get(language, "").split())
    for other in LANGUAGES:
        words.update(_WORDS[other].split())
    return frozenset(words)
