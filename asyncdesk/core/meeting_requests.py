"""Is a message asking the user for a call or a meeting?

:func:`is_meeting_request` answers from the subject and the body's text, and from
``has_invite`` (the message carries a calendar invitation: a ``text/calendar`` part or an
``.ics`` file, which the stored body lists as ``[attachment: ...]``; see
:func:`has_calendar_invite`). :func:`meeting_request_phrase` says which words decided,
for a tooltip.

How the text is read (subject and body as one text, the subject a sentence of its own):

- normalised first (:func:`normalize`): case-folded, accents stripped (``können`` reads
  as ``konnen``, ``réunion`` as ``reunion``), typographic apostrophes made plain,
  letters outside Latin dropped, whitespace collapsed; so one pattern covers
  ``Können wir kurz telefonieren?`` and ``konnen wir kurz telefonieren``;
- a **request phrase** of one of the languages (:data:`_REQUESTS`) asks: a phrase that
  proposes talking live ("hop on a call", "can we meet", "quick call", "un petit
  appel", "kunnen we even bellen", "agendar una reunion"), never a bare "meeting" or
  "call", which newsletters and reports are full of;
- so does a **sentence** with a word for talking live (:data:`_LIVE`: "a call", "on
  the phone", "telefonieren", "videollamada", "bellen"...) that asks or proposes
  (:data:`_ASKS`: a question mark, "how about", "je vous propose", "zullen we"...) and
  does not tell of the past (:data:`_PAST`: "did", "yesterday", "gestern", "ayer"...):
  "Fancy a call next week?", "Kun je me even terugbellen?";
- neither counts inside a phrase that names a call or a meeting without asking for one
  (:data:`_NOT_A_REQUEST`): "call for papers", "thanks for the call", "the meeting
  notes", "after our meeting", "Entscheidung treffen", "ci sentiamo presto" as a
  sign-off...

English, German, French, Spanish, Dutch, Portuguese and Italian. Measured on
``tests/data/meeting_requests.jsonl`` by ``benchmarks/meeting_requests.py``.

Pure and thread-safe; the patterns are compiled once, and the text is read up to
:data:`MAX_CHARS` characters (a request is made near the top of a message).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Final

__all__ = [
    "MAX_CHARS",
    "has_calendar_invite",
    "is_invitation_subject",
    "is_meeting_request",
    "meeting_request_phrase",
    "normalize",
]

#: Subject and body are read up to this many characters together: a request to meet is
#: made near the top of a message, and a pasted log must not cost more than a page.
MAX_CHARS: Final = 4000
#: Of which the subject's share at most.
MAX_SUBJECT_CHARS: Final = 500

_PLAIN: Final = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u00b4": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00df": "ss",
    }
)


def normalize(text: str) -> str:
    """``text`` case-folded, without accents, with plain apostrophes and single spaces."""
    text = text[:MAX_CHARS].casefold()
    if not text.isascii():
        # Every pattern is ASCII: accents go, and so do letters no pattern reads.
        text = text.translate(_PLAIN)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.split())


def _any(*phrases: str) -> str:
    return "(?:" + "|".join(phrases) + ")"


# Words shared by the patterns (already normalised: no accents, case-folded).
_CALL_EN: Final = _any(
    r"call",
    r"phone call",
    r"video ?call",
    r"zoom(?: call)?",
    r"teams(?: call| meeting)?",
    r"google meet",
    r"meet",
    r"hangout",
    r"facetime",
    r"chat",
    r"catch[- ]?up",
    r"sync",
)
_SOON: Final = _any(
    r"today",
    r"tomorrow",
    r"this (?:week|afternoon|morning|evening)",
    r"next week",
    r"on (?:mon|tue|wed|thu|fri)\w*",
    r"(?:mon|tues|wednes|thurs|fri)day",
    r"later",
    r"at \d",
    r"sometime",
    r"soon",
)

#: Phrases that name a call or a meeting without asking for one; blanked before the
#: request phrases are searched.
_NOT_A_REQUEST: Final = re.compile(
    r"(?<![a-z0-9_])(?=[a-z0-9_])(?:"
    + "|".join(
        (
            # English
            r"calls? for (?:papers|proposals|speakers|participation|abstracts|submissions"
            r"|contributions|entries|applications|nominations|volunteers)",
            r"(?:thanks|thank you|thx) (?:again )?for (?:the|our|your|today's|yesterday's)"
            r"(?: \w+)? (?:call|chat|meeting|time)",
            r"(?:after|following|during|since|from|in|on) (?:our|the|today's|yesterday's|last"
            r" week's)(?: \w+)? (?:call|chat|meeting|conversation)",
            r"(?:notes|minutes|recording|summary|slides|recap|agenda) (?:of|from) (?:the|our)"
            r"(?: \w+)? (?:call|meeting)",
            r"(?:call|meeting) (?:notes|minutes|recording|summary|recap|room)",
            r"(?:no|without) (?:need for|need of) (?:a|another) (?:call|meeting)",
            r"(?:don't|do not|no) need (?:for )?(?:a|to) (?:call|meet)",
            # German
            r"(?:danke|vielen dank) fur (?:das|den|unser|unseren|das kurze|den kurzen)"
            r"(?: \w+)? (?:telefonat|gesprach|call|treffen|meeting)",
            r"(?:protokoll|notizen) (?:des|vom|zum) (?:\w+ )?(?:meeting|termin|treffen|call)",
            r"call for papers",
            r"(?:entscheidung|entscheidungen|auswahl|vorkehrungen|massnahmen|vereinbarung|"
            r"absprache|wahl|vorsorge) (?:\w+ )?treffen",
            # French
            r"appels? a (?:contributions|communications|projets|candidatures|propositions)",
            r"merci pour (?:l'|le |notre |cet |ce )(?:\w+ )?(?:appel|echange|call|rendez-vous)",
            r"(?:compte[- ]rendu|cr) de (?:la|notre) (?:reunion|visio)",
            # Spanish
            r"gracias por (?:la|tu|su|nuestra) (?:\w+ )?(?:llamada|reunion|videollamada)",
            r"(?:acta|notas|resumen) de la reunion",
            r"convocatoria de (?:ponencias|propuestas|articulos)",
            # Dutch
            r"(?:bedankt|dank) voor (?:het|ons|je|jullie) (?:\w+ )?(?:gesprek|telefoontje|"
            r"belletje|overleg)",
            r"(?:notulen|verslag) van (?:het|de) (?:\w+ )?(?:overleg|vergadering|meeting)",
            # Portuguese
            r"obrigad[oa] pela (?:\w+ )?(?:chamada|ligacao|reuniao|conversa)",
            r"(?:ata|notas|resumo) da reuniao",
            # Italian
            r"grazie per (?:la|il) (?:\w+ )?(?:chiamata|telefonata|riunione|call)",
            r"(?:verbale|appunti) (?:della|dell') ?(?:riunione|call)",
            r"ci (?:sentiamo|vediamo) (?:presto|dopo|domani|a breve)\b(?![^.!?\n]{0,60}\?)",
        )
    )
    + ")"
)

#: What asks for a call or a meeting, by language (normalised text).
_REQUESTS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        rf"\b(?:hop|jump|get|hope) on (?:a |the )?(?:quick |short |brief )?{_CALL_EN}\b",
        r"\b(?:quick|short|brief|15[- ]?min(?:ute)?|30[- ]?min(?:ute)?|10[- ]?min(?:ute)?|"
        r"5[- ]?min(?:ute)?) (?:phone |video |zoom |teams )?(?:call|chat|sync|catch[- ]?up|"
        r"meeting|zoom)\b",
        r"\b(?:can|could|shall|should|may) (?:we|i|you and i) (?:quickly |briefly |maybe |"
        r"perhaps )?(?:meet|talk|speak|chat|call|hop|jump|get together|sync|catch up|"
        r"discuss (?:this|it|that) (?:live|on a call|over the phone|in person))\b",
        r"\b(?:let's|lets|let us|we should|i'd like to|i would like to|i'd love to|"
        r"would love to|want to|wanted to|like to) (?:set up|schedule|book|arrange|organi[sz]e"
        r"|plan|find time for|have) (?:a|an|some) (?:quick |short |brief |"
        r"intro(?:ductory)? |follow-?up |kick-?off |)(?:call|meeting|chat|zoom|sync|time|"
        r"session|catch[- ]?up|slot)\b",
        r"\b(?:set up|schedule|book|arrange) (?:a|an) (?:quick |short |brief |)"
        r"(?:call|meeting|zoom|time to (?:talk|meet|chat))\b",
        r"\b(?:let's|lets|let us) (?:meet|talk|chat|catch up|sync|grab (?:a )?coffee|"
        r"get together)\b",
        rf"\b(?:free|available|around) for (?:a |an )?(?:quick |short |brief )?(?:{_CALL_EN}"
        r"|coffee|meeting|call|talk)\b",
        rf"\b(?:are|r) (?:you|u) (?:free|available|around) (?:{_SOON}|for)\b",
        r"\b(?:do|would) you have (?:a few|five|ten|fifteen|\d+|a couple of|some) "
        r"(?:minutes|mins?)\b",
        r"\b(?:got|have you got|do you have) a (?:minute|sec|second) (?:for|to)\b",
        r"\bwhen (?:are you|would you be|is a good time|works for you|suits you|would suit)"
        r"\b",
        r"\bfind (?:a|some) (?:time|slot|moment) (?:to|for|that)\b",
        r"\b(?:give me|can you give me) a (?:call|ring|buzz)\b",
        r"\b(?:call|ring) me (?:back|when|if|at|on|asap|today|tomorrow)\b",
        r"\bgrab (?:a )?(?:coffee|quick coffee|lunch) (?:and|to|sometime|next|this|on)\b",
        r"\bmeeting request\b",
        r"\b(?:invitation|invite): ",
        r"\b(?:could|would|can) you (?:join|make) (?:a|the|our) (?:quick |short )?"
        r"(?:call|meeting|zoom)\b",
        r"\b(?:discuss|talk about|go over|walk through) (?:this|it|that|them|these) "
        r"(?:on|over) (?:a |the )?(?:call|phone|zoom|teams|video)\b",
        r"\b(?:what|how) does your (?:calendar|diary|schedule|availability|week) look\b",
        r"\b(?:what's|what is|share|send (?:me|over)) your (?:availability|calendar|"
        r"calendly)\b",
        r"\b(?:some|a) (?:time|slot) to (?:chat|talk|meet|catch up|connect|speak)\b",
        r"\b(?:talk|chat|discuss (?:this|it)) (?:live|in person|face to face|over coffee|"
        r"by phone|on the phone)\b",
        r"\bdo a (?:quick |short )?(?:call|zoom|video call|meeting)\b",
        r"\b(?:want|wanted|like|need) to talk (?:\w+ ){0,3}?through\b",
        # Formal: "Request for a meeting", "Might you have thirty minutes available".
        r"\brequest for (?:a |an )?(?:meeting|call|appointment|conversation)\b",
        r"\b(?:do|would|might|could|will) you have (?:\w+ ){0,2}?(?:minutes|mins?|"
        r"moments?) (?:available|free|for|to|this|next|tomorrow|today|on)\b",
        rf"\b(?:do|would) you have (?:some |any )?time (?:{_SOON}|on (?:mon|tue|wed|thu|fri)"
        r"|for a (?:call|chat|meeting))\b",
        r"\b(?:book|schedule) (?:a|your) (?:quick |free |short |personal(?:i[sz]ed)? |"
        r"\d+[- ]?min(?:ute)? )?demo\b",
        r"\b\d+[- ]?min(?:ute)? (?:demo|intro|introduction)\b",
    ),
    "de": (
        r"\bkurz(?:es|en|e)? (?:telefonat|call|gesprach|meeting|treffen|abstimmung|"
        r"videocall|zoom)\b",
        r"\b(?:konnen|konnten|sollen|sollten|wollen|mussen) wir (?:uns )?(?:[\w.]+ ){0,4}?"
        r"(?:treffen|telefonieren|sprechen|"
        r"zusammensetzen|austauschen|abstimmen|callen|unterhalten)\b",
        r"\blass(?:t)? uns (?:[\w.]+ ){0,4}?(?:treffen|telefonieren|sprechen|"
        r"zusammensetzen|austauschen|callen)\b",
        r"\bterminanfrage\b",
        r"\bbitte um (?:einen|ein) (?:\w+ )?(?:termin|gesprach|treffen|telefonat)\b",
        r"\bpasst (?:es )?(?:dir|ihnen|euch) (?:am |der |die |das )?(?:montag|dienstag|"
        r"mittwoch|donnerstag|freitag|morgen|heute|nachste|diese|\d)",
        r"\b(?:hast du|habt ihr|haben sie|hattest du|hatten sie) (?:morgen |heute |"
        r"diese woche |nachste woche |mal |kurz )*(?:zeit|ein paar minuten|\d+ minuten)\b",
        r"\btermin (?:vereinbaren|ausmachen|finden|abstimmen|vorschlagen)\b",
        r"\b(?:einen|ein) (?:termin|meeting|call|telefonat|treffen) (?:vereinbaren|"
        r"ausmachen|einrichten|ansetzen|machen|planen)\b",
        r"\b(?:ruf|rufen sie|ruft) mich (?:bitte |mal |kurz |doch )*an\b",
        r"\bruckruf\b",
        r"\btelefonisch (?:besprechen|klaren|abstimmen)\b",
        r"\bwann (?:hast du|haben sie|passt es|passt es dir|passt es ihnen|waren sie|"
        r"bist du) (?:zeit|verfugbar)?\b",
        r"\beinladung: ",
        r"\bwir uns (?:[\w.]+ ){0,6}?(?:treffen|sprechen|telefonieren|austauschen|"
        r"zusammensetzen|unterhalten) (?:konnten|konnen|wurden|sollten)\b",
        r"\bauf einen (?:kaffee|tee|kurzen austausch)\b",
        r"\bwie sieht (?:dein|ihr|euer) kalender aus\b",
    ),
    "fr": (
        r"\b(?:un|une) (?:petit |court |bref |rapide )?(?:appel|call|coup de fil|visio|"
        r"point) (?:rapide|telephonique|de \d+ ?min|cette semaine|demain|la semaine)\b",
        r"\b(?:petit|court|bref) (?:appel|call|point|echange|coup de fil)\b",
        r"\b(?:on peut|peut-on|pourrait-on|pourrions-nous|pouvons-nous|on pourrait) "
        r"(?:se |s'|en |nous )?(?:voir|parler|appeler|rencontrer|caler|organiser|"
        r"planifier|prevoir|discuter|echanger|faire)\b",
        r"\b(?:organiser|planifier|fixer|prevoir|caler|prendre|programmer|convenir d') "
        r"(?:un|une) (?:reunion|rendez-vous|rdv|appel|call|point|visio|creneau|echange)\b",
        r"\b(?:es-tu|etes-vous|tu es|vous etes|seriez-vous|serais-tu) "
        r"(?:dispo|disponibles?)\b",
        r"\bdispo (?:pour|demain|cette|la semaine|ce)\b",
        r"\b(?:appelle|appelez|rappelle|rappelez)-moi\b",
        r"\bfaire un point\b",
        r"\bdemande de (?:rendez-vous|rdv|reunion|entretien)\b",
        r"\bsolliciter (?:un|une) (?:\w+ )?(?:rendez-vous|entretien|reunion)\b",
        r"\b(?:tu aurais|aurais-tu|auriez-vous|vous auriez|as-tu|avez-vous|tu as|vous avez|"
        r"t'as|t'aurais) "
        r"(?:un moment|un creneau|quelques minutes|\d+ ?min\w*|le temps|du temps|"
        r"un peu de temps|5 minutes|dix minutes|cinq minutes)\b",
        r"\bqu'on (?:en parle|se (?:voie|voit|parle|cale|appelle|rencontre))\b",
        r"\b(?:aimerais|voudrais|souhaiterais|aimerions|voudrions|souhaiterions) "
        r"(?:beaucoup |bien |)(?:vous|te) (?:rencontrer|voir|appeler|parler|proposer un "
        r"(?:appel|echange|rendez-vous|call))\b",
        r"\b(?:se voir|se rencontrer|se parler) (?:demain|cette semaine|la semaine|"
        r"bientot|rapidement|lundi|mardi|mercredi|jeudi|vendredi)\b",
        r"\binvitation: ",
    ),
    "es": (
        r"\b(?:una|un) (?:llamada|videollamada|call|reunion) (?:rapida|corta|breve|"
        r"de \d+ ?min)\b",
        r"\b(?:llamada|videollamada|reunion|call) (?:rapida|corta|breve)\b",
        r"\b(?:podemos|podriamos|pudieramos|deberiamos|quieres|querria|quisiera) "
        r"(?:hablar|vernos|reunirnos|quedar|llamarnos|charlar|conversar|agendar|"
        r"programar|tener una (?:llamada|reunion))\b",
        r"\b(?:agendar|programar|organizar|concertar|fijar|coordinar|tener) una "
        r"(?:llamada|reunion|videollamada|cita|call)\b",
        r"\b(?:tienes|tiene|tendrias|tendria|teneis) (?:un momento|unos minutos|\d+ minutos|"
        r"tiempo|un rato)\b",
        r"\b(?:estas|esta|estarias|estaria|estais) (?:disponible|libre)s? (?:para|manana|"
        r"hoy|esta|el)\b",
        r"\bllamame\b",
        r"\bquedamos (?:para|el|manana|esta|la semana)\b",
        r"\b(?:podemos|podriamos|pudieramos|hacemos|hagamos) (?:hacer |tener |organizar )?"
        r"una (?:llamada|videollamada|reunion|call|videoconferencia)\b",
        r"\b(?:que hablemos|hablemos (?:manana|el|esta|por telefono|luego|en persona|"
        r"un momento))\b",
        r"\b(?:te|le|os|les) (?:viene|va) bien (?:que|el|a las|manana|hoy|esta|una|un)\b",
        r"\bsolicitud de (?:reunion|cita|entrevista)\b",
        r"\bsolicitar(?:le|les)? una (?:\w+ )?(?:reunion|cita|llamada|entrevista)\b",
        r"\b(?:una|un) (?:demo|demostracion) (?:de \d+ ?min\w*|rapida|breve|gratuita)\b",
        r"\binvitacion: ",
    ),
    "nl": (
        r"\b(?:even|kort|snel) (?:bellen|overleggen|afstemmen|videobellen|sparren|"
        r"samenzitten|spreken|praten)\b",
        r"\b(?:kunnen|zullen|kun|kan|zouden) (?:we|wij|je|jij|u) (?:morgen |vandaag |"
        r"deze week |volgende week |even |kort |eens )*(?:bellen|afspreken|overleggen|"
        r"samenzitten|praten|spreken|een call|een afspraak|een belletje|een gesprek)\b",
        r"\b(?:een )?(?:afspraak|overleg|meeting|call|gesprek) (?:maken|inplannen|plannen|"
        r"prikken)\b",
        r"\b(?:belletje|kort gesprek|korte call|videogesprek)\b",
        r"\b(?:heb je|heeft u|hebben jullie) (?:[\w.]+ ){0,3}?(?:tijd|een momentje|"
        r"\d+ minuten|vijf minuten|tien minuten)\b",
        r"\b(?:bel|belt u) me\b",
        r"\b(?:heb je|heeft u|hebben jullie) (?:even|ff|effe|eventjes)(?: tijd)? ?\?",
        r"\bverzoek (?:om|tot) (?:een )?(?:\w+ )?(?:afspraak|gesprek|overleg|kennismaking)\b",
        r"\bkop koffie (?:te )?(?:drinken|doen)\b",
        r"\buitnodiging: ",
    ),
    "pt": (
        r"\b(?:uma|um) (?:chamada|ligacao|call|reuniao|videochamada|papo) (?:rapida|"
        r"rapido|curta|curto|breve)\b",
        r"\b(?:podemos|poderiamos|vamos|bora) (?:conversar|falar|nos reunir|nos ver|"
        r"marcar|agendar|fazer uma (?:call|chamada|reuniao)|bater um papo)\b",
        r"\b(?:marcar|agendar|combinar|organizar) (?:uma|um) (?:reuniao|call|chamada|"
        r"conversa|horario|videochamada|cafe|papo)\b",
        r"\b(?:voce |vc |tu )?(?:tem|teria|tens) (?:um minuto|um minutinho|uns minutos|"
        r"uns minutinhos|\d+ minutos|um tempinho)\b",
        r"\bpedido de reuniao\b",
        r"\bsolicitar (?:uma|um) (?:\w+ )?(?:reuniao|encontro|conversa)\b",
        r"\b(?:esta|estaria|estas) (?:disponivel|livre) (?:para|amanha|hoje|esta|na)\b",
        r"\b(?:me liga|liga pra mim|me ligue)\b",
        r"\bconvite: ",
    ),
    "it": (
        r"\b(?:una|un) (?:chiamata|telefonata|call|riunione|videochiamata) (?:veloce|"
        r"breve|rapida|di \d+ ?min)\b",
        r"\b(?:possiamo|potremmo|riusciamo a|vogliamo) (?:sentirci|vederci|parlarne|"
        r"fare una (?:call|chiamata|telefonata|riunione)|organizzare|fissare|incontrarci)\b",
        r"\b(?:fissare|organizzare|programmare|pianificare|prendere) (?:una|un) "
        r"(?:riunione|call|chiamata|appuntamento|incontro|videochiamata)\b",
        r"\b(?:hai|ha|avresti|avrebbe|avete) (?:un attimo|un minuto|\d+ minuti|tempo|"
        r"cinque minuti|dieci minuti)\b",
        r"\b(?:sei|e|saresti|sarebbe|siete) (?:disponibile|libero|libera|disponibili) "
        r"(?:per|domani|oggi|questa|la prossima|lunedi|martedi|mercoledi|giovedi|venerdi)\b",
        r"\bchiamami\b",
        r"\brichiesta di (?:incontro|riunione|appuntamento|colloquio)\b",
        r"\bdisponibilita per (?:un|una) (?:\w+ )?(?:incontro|riunione|call|chiamata|"
        r"colloquio|appuntamento)\b",
        r"\bci (?:sentiamo|vediamo) (?:domani|oggi|questa|la prossima|lunedi|martedi|"
        r"mercoledi|giovedi|venerdi)\b[^.!?\n]{0,60}\?",
        r"\b(?:un )?caffe (?:insieme|per parlarne)\b",
        r"\binvito: ",
    ),
}

# One pattern. Every phrase starts at a word; the text is ASCII once normalised, so a
# word start is tested once, as a lookaround, instead of by each of the hundred
# alternatives (``\b`` in each): half the time on a 100,000-message inbox.
_REQUEST: Final = re.compile(
    r"(?<![a-z0-9_])(?=[a-z0-9_])(?:"
    + "|".join(p.removeprefix(r"\b") for patterns in _REQUESTS.values() for p in patterns)
    + ")"
)

#: Words for talking live (a call, a meeting in person or on video), in every language;
#: a sentence with one of them that asks or proposes (:data:`_ASKS`) and does not tell
#: of the past (:data:`_PAST`) is a request: "Fancy a call next week?", "Je vous propose
#: un appel jeudi", "Kun je me even terugbellen?". Not "meeting" alone: "Is the meeting
#: still on?" asks about one already set.
_LIVE: Final = re.compile(
    r"\b(?:"
    # English
    r"a (?:\w+ )?call|call (?:me|you|us)|on the phone|"
    r"calls? (?:tomorrow|today|next week|this (?:week|afternoon|morning|evening))|"
    r"by phone|phone call|zoom|facetime|hangout|video ?(?:call|chat)|catch up|"
    r"(?:on|via|over|per|in|op|em|su) (?:ms )?teams|videochamada|videochiamata|videocall|"
    r"videogesprek|meet (?:up|you|me|us|"
    r"in person|for)|a coffee|coffee (?:next|this|tomorrow|sometime)|"
    r"spare (?:half an hour|\d+ min\w*|a few min\w*|some time|a moment)|"
    # German
    r"anruf\w*|anrufen|telefon\w*|uns treffen|treffen wir|kaffee|zusammensetzen|"
    r"abstimmung per \w+|"
    # French
    r"appel|appeler|m'appeler|t'appeler|vous appeler|appelle|telephone|visio|rdv|"
    r"rendez-vous|se voir|nous voir|rencontrer|cafe|"
    # Spanish
    r"llam\w*|videollamada|vernos|nos vemos|reunirnos|quedamos|"
    # Dutch
    r"bel|bellen|belletje|telefoontje|terugbellen|videobellen|afspreken|koffie|"
    # Portuguese
    r"ligar|te ligo|ligacao|chamada|nos ver|reuniao rapida|"
    # Italian
    r"chiamare|chiamo|ti chiamo|chiamata|telefonata|vederci|sentirci|caffe|"
    # Meals and drinks, and one-to-ones, in every language
    r"lunch|a drink|drinks|a beer|mittagessen|essen gehen|ein bier|dejeuner|un verre|"
    r"almuerzo|comer juntos|una cerveza|lunchen|een biertje|almoco|almocar|pranzo|"
    r"aperitivo|spritz|1:1|one-on-one|1-on-1|"
    # English loans
    r"(?:una|un|uma|een|eine|einen) (?:\w+ )?(?:call|zoom|meeting)"
    r")\b"
)
_ASKS: Final = re.compile(
    r"\?|\b(?:"
    r"i propose|how about|what about|fancy|shall we|let's|lets|would you like to|"
    r"je (?:vous|te) propose|que diriez-vous|ca te dit|"
    r"wie ware es|was haltst du von|magst du|mochtest du|"
    r"que tal|te parece|le parece|"
    r"zullen we|zin om|schikt het|"
    r"que tal|topa|"
    r"ti andrebbe|che ne dici|che ne pensi|"
    r"i suggest|suggest we|je suggere|ich schlage vor|schlage ich vor|sugiero|"
    r"ik stel voor|stel ik voor|proponho|propongo"
    r")\b"
)
_PAST: Final = re.compile(
    r"\b(?:did|was|were|have you|had|yesterday|earlier|last (?:week|time|call|meeting)|"
    r"missed|gestern|letzte woche|habe|hatte|verpasst|gehabt|gesprochen|telefoniert|"
    r"getroffen|angerufen|hier|ai appele|avez-vous appele|"
    r"manque|ayer|la semana pasada|perdida|gisteren|vorige week|gemiste|heb ik|ontem|"
    r"semana passada|perdida|ieri|la settimana scorsa|persa|ho sentito)\b"
)
_SENTENCE_END: Final = re.compile(r"[.!?]+")
#: A phrase that asks nothing is at most this long (see :data:`_NOT_A_REQUEST`).
_NOT_A_REQUEST_REACH: Final = 160


# ------------------------------------------------------- one fast pass over the text
# Python's regex engine tries every alternative of an alternation at every place a word
# starts; with a hundred phrases that is most of the time a 100,000-message inbox takes.
# It skips an alternative at once when its first character is a plain one that does
# not match, so the phrases are rewritten, for the one pass that finds where a text
# may ask, as a tree: each leading group spread into its alternatives ("(?:hop|jump)
# on" -> "hop on", "jump on"), then grouped by their first characters ("c(?:a(?:ll|
# fe)|...)"). The same texts match at the same places (a test compares the two);
# that pass is six times faster.


def _scan(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """``(index, char, depth)`` for each character of ``pattern`` from ``start`` that
    can open, close or split a group: escapes and character classes are stepped over,
    ``depth`` is the nesting after an opening and before a closing parenthesis."""
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index += 1
            while pattern[index] != "]":
                index += 2 if pattern[index] == "\\" else 1
        elif char == "(":
            depth += 1
            yield index, char, depth
        elif char == ")":
            yield index, char, depth
            depth -= 1
        elif char == "|":
            yield index, char, depth
        index += 1


def _closing(pattern: str, start: int) -> int:
    """Where the group opened at ``pattern[start]`` closes."""
    for index, char, depth in _scan(pattern, start):
        if char == ")" and depth == 1:
            return index
    raise ValueError(f"unbalanced pattern: {pattern!r}")


def _top_level(pattern: str) -> list[str]:
    """``pattern``'s alternatives at its top level."""
    parts: list[str] = []
    begin = 0
    for index, char, depth in _scan(pattern):
        if char == "|" and depth == 0:
            parts.append(pattern[begin:index])
            begin = index + 1
    parts.append(pattern[begin:])
    return parts


def _spread(pattern: str) -> list[str]:
    """Alternatives that together match what ``pattern`` does, each starting with a
    plain character where its leading non-capturing groups can be spread."""
    done: list[str] = []
    todo = [pattern]
    while todo:
        head = todo.pop()
        if not head.startswith("(?:"):
            done.append(head)
            continue
        end = _closing(head, 0)
        inner, rest = head[3:end], head[end + 1 :]
        if rest[:1] in ("*", "+", "{"):
            done.append(head)
            continue
        alternatives = _top_level(inner)
        if rest.startswith("?"):
            rest = rest[1:]
            alternatives.append("")
        todo.extend(alternative + rest for alternative in alternatives)
    return done


def _tree(alternatives: list[str], depth: int = 0) -> str:
    """``alternatives`` as one alternation grouped by leading plain characters."""
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for alternative in alternatives:
        first = alternative[:1]
        if (
            depth < 3
            and first
            and (first.isalnum() or first in " '")
            and alternative[1:2] not in ("?", "*", "+", "{")
        ):
            groups.setdefault(first, []).append(alternative[1:])
        else:
            others.append(alternative)
    parts = []
    for first, rests in sorted(groups.items()):
        if len(rests) == 1:
            parts.append(re.escape(first) + rests[0])
        else:
            parts.append(re.escape(first) + "(?:" + _tree(rests, depth + 1) + ")")
    return "|".join(parts + others)


_WORD_START: Final = r"(?<![a-z0-9_])(?=[a-z0-9_])"
_MAY_ASK_PHRASES: Final = [
    *(p.removeprefix(r"\b") for patterns in _REQUESTS.values() for p in patterns),
    _LIVE.pattern.removeprefix(r"\b"),
]
#: Where a text may ask: a request phrase or a word for talking live starts there.
_MAY_ASK: Final = re.compile(
    _WORD_START + "(?:" + _tree([a for p in _MAY_ASK_PHRASES for a in _spread(p)]) + ")"
)
#: The same, as written: what :data:`_MAY_ASK` must agree with (tests).
_MAY_ASK_AS_WRITTEN: Final = re.compile(_WORD_START + "(?:" + "|".join(_MAY_ASK_PHRASES) + ")")


#: A calendar invitation's subject ("Invitation: Design review @ Tue 2 Dec 2026 14:00").
_INVITATION_SUBJECT: Final = re.compile(
    r"(?:(?:updated |new )?invitation|invite|einladung|aktualisierte einladung|invitacion|"
    r"uitnodiging|convite|invito): .{1,300}@ ",
)


#: How a stored body names a calendar invitation (``sources.mail_body`` lists every
#: attachment as ``[attachment: NAME]``; an unnamed calendar part by its type).
_INVITE: Final = re.compile(
    r"\[attachment: (?:text/calendar|text/x-vcalendar|[^\]\n]{0,200}\.(?:ics|vcs))\]",
    re.IGNORECASE,
)


def has_calendar_invite(body: str) -> bool:
    """Whether a stored body lists a calendar invitation among its attachments."""
    return "[attachment: " in body and _INVITE.search(body) is not None


def meeting_request_phrase(subject: str, body: str) -> str | None:
    """The normalised words that ask for a call or a meeting, ``None`` when none do."""
    # Subject and body are read as one text, the subject a sentence of its own: one
    # pass instead of two (a phrase cannot run from one into the other).
    plain = normalize(f"{subject[:MAX_SUBJECT_CHARS]}. {body}" if subject else body)
    # One pass finds every place that may ask; most texts have none. Only around such
    # a place are the phrases that ask nothing looked for.
    for candidate in _MAY_ASK.finditer(plain):
        start, end = candidate.span()
        phrase = _REQUEST.match(plain, start)
        if phrase is not None:
            if not _cancelled(plain, start, phrase.end()):
                return phrase.group(0).strip()
            continue
        sentence = _sentence(plain, start, end)
        if (
            _ASKS.search(sentence) is not None
            and _PAST.search(sentence) is None
            and not _cancelled(plain, start, end)
        ):
            return sentence.strip()
    return None


def _cancelled(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is part of a phrase that asks nothing."""
    window = max(0, start - _NOT_A_REQUEST_REACH)
    for found in _NOT_A_REQUEST.finditer(text, window, end + _NOT_A_REQUEST_REACH):
        if found.start() < end and found.end() > start:
            return True
    return False


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds ``text[start:end]``, with its end marks."""
    begin = max(text.rfind(mark, 0, start) for mark in ".!?") + 1
    stop = _SENTENCE_END.search(text, end)
    return text[begin : len(text) if stop is None else stop.end()]


def is_invitation_subject(subject: str) -> bool:
    """Whether ``subject`` is a calendar invitation's, as calendars write them
    ("Invitation: Weekly sync @ Tue 2 Dec 2026 14:00 - 15:00 (CET)")."""
    return _INVITATION_SUBJECT.match(normalize(subject)) is not None


def is_meeting_request(subject: str, body: str, *, has_invite: bool = False) -> bool:
    """Whether the message asks the user for a call or a meeting: a calendar invitation
    (``has_invite``), or words that ask for one in the subject or the body."""
    return has_invite or meeting_request_phrase(subject, body) is not None
