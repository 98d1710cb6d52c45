# ruff: noqa: RUF001  -- Russian words are the point of this module, not look-alike Latin letters
"""The words of the register's exports in the designer's languages: each column's title, each status and outcome
code in words, and what a caller hung up during. A Spanish supervisor opening a campaign's report in Excel read
`row,number,status,...` and `done`, `answered`, `hung_up` (review, 2026-12).

An export asked for in a language (`lang=en`, `es` or `ru`, what the designer sends) has these titles and labels;
without `lang`, or with `lang=raw`, it is the file it always was, column names and codes, which BI tools and scripts
parse. The columns and their order are the same in either, and so are the other cells (a scenario's own `result`,
ids, times, a list's own columns). A code without words here (one a newer node wrote) is written as it is."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Final, Literal, NamedTuple

from fastapi import Query

from agi_server.walk_patrol import DURING_BLOCK_WORK
from graph_engine.registry import BlockRegistry
from persistence.campaign_reports import DUPLICATE_OF, REPORT_PAUSED, REPORT_SKIPPED

ReportLanguage = Literal["raw", "en", "es", "ru"]
LanguageQuery = Annotated[
    ReportLanguage,
    Query(
        description="The language of the column titles and of the status and outcome labels (`Estado`: `Contactado`; "
        "in the call register, what a caller hung up during too), for people opening the file: `en`, `es` or `ru`, "
        "as the designer sends its own. `raw` (the default) keeps "
        "the column names and codes (`status`: `done`) that BI tools and scripts parse, unchanged. Times and the "
        "clock their titles name, the other cells, the columns and their order are the same in both."
    ),
]


class Words(NamedTuple):
    """One title or label in each of the designer's languages (designer_ui/src/lib/i18n.ts)."""

    en: str
    es: str
    ru: str


# A code -> its words.
Vocabulary = Mapping[str, Words]

# A callback job's status (persistence.callbacks.JOB_STATUSES): one client's, so singular.
JOB_STATUSES: Final[Vocabulary] = {
    "pending": Words("Waiting", "En espera", "Ожидает"),
    "dialing": Words("Calling now", "Llamando ahora", "Звоним сейчас"),
    "done": Words("Reached", "Contactado", "Дозвонились"),
    "failed": Words("Not reached", "No contactado", "Не дозвонились"),
    "expired": Words("Out of time", "Fuera de plazo", "Срок истёк"),
    "cancelled": Words("Cancelled", "Cancelado", "Отменён"),
}

# What a job's last dial came to (agi_server.ami_protocol.DialOutcome), or why it ended without one
# (persistence.callbacks: a stop, a closed window, a number never dialled...).
DIAL_OUTCOMES: Final[Vocabulary] = {
    "answered": Words("Answered", "Contestada", "Ответил"),
    "busy": Words("Busy", "Ocupado", "Занято"),
    "no_answer": Words("No answer", "Sin respuesta", "Нет ответа"),
    "failed": Words("The call failed", "La llamada falló", "Звонок не удался"),
    "unreached": Words("Answered, but the scenario never ran", "Contestada, pero el escenario no llegó a ejecutarse",
                       "Ответил, но сценарий так и не запустился"),
    "hung_up_early": Words("Answered, but hung up before the message ended",
                           "Contestada, pero colgó antes de que acabara el mensaje",
                           "Ответил, но положил трубку до конца сообщения"),
    "refused": Words("Refused by Asterisk (this server's dialer settings)",
                     "Rechazada por Asterisk (ajustes del marcador de este servidor)",
                     "Отклонено Asterisk (настройки автодозвона этого сервера)"),
    "trunk_down": Words("The trunk was down", "La troncal no funcionaba", "Транк не работал"),
    "cancelled": Words("Cancelled", "Cancelada", "Отменено"),
    "cancelled_by_api": Words("Cancelled through the API", "Cancelada mediante la API", "Отменено через API"),
    "already_reached": Words("Already reached by another call", "Ya contactado por otra llamada",
                             "Уже дозвонились другим звонком"),
    "window_closed": Words("Its time window closed", "Se cerró su franja horaria", "Окно времени закрылось"),
    "emergency_number": Words("An emergency number: never called", "Un número de emergencias: nunca se llama",
                              "Номер экстренной службы: на него не звонят"),
    "impossible_number": Words("Not a phone number: never called", "No es un número de teléfono: nunca se llama",
                               "Не номер телефона: на него не звонят"),
    "scenario_unavailable": Words("The scenario was not available", "El escenario no estaba disponible",
                                  "Сценарий был недоступен"),
    "lost": Words("Unknown: the server dialling it stopped", "Desconocido: se detuvo el servidor que llamaba",
                  "Неизвестно: сервер, который звонил, остановился"),
}  # fmt: skip

# How a call's scenario ended (graph_engine.trace.CallOutcome), or why none ran (agi_server.metrics.CALL_OUTCOMES).
CALL_OUTCOMES: Final[Vocabulary] = {
    "hung_up": Words("The scenario hung up", "El escenario colgó", "Сценарий завершил звонок"),
    "caller_hangup": Words("The caller hung up", "Quien llama colgó", "Абонент положил трубку"),
    "transferred": Words("Transferred", "Transferida", "Переведён"),
    # A flow that ran past its last block (an exit not connected, a goodbye most often): said as an end, not a fault.
    "ended": Words("Ended after its last block", "Terminada tras su último bloque", "Завершён после последнего блока"),
    "failed": Words("Failed", "Fallida", "Сбой"),
    "step_limit": Words("Stopped: endless loop", "Detenida: bucle sin fin", "Остановлен: бесконечный цикл"),
    "unknown_scenario": Words("No such scenario: the fallback message played",
                              "Escenario inexistente: sonó el mensaje de respaldo",
                              "Сценарий не найден: прозвучало резервное сообщение"),
    "protocol_error": Words("The AGI session broke", "La sesión AGI se rompió", "Сеанс AGI прервался"),
    "refused_overload": Words("Refused: the node was at its call limit",
                              "Rechazada: el nodo estaba en su límite de llamadas",
                              "Отклонён: узел на пределе звонков"),
    "refused_stopping": Words("Refused: the node was stopping", "Rechazada: el nodo se estaba deteniendo",
                              "Отклонён: узел останавливался"),
}  # fmt: skip

# The call register's status (persistence.calls.STATUSES).
CALL_STATUSES: Final[Vocabulary] = {
    "answered": Words("Answered", "Contestada", "Отвечен"),
    "missed": Words("Missed", "Perdida", "Пропущен"),
    # The code is kept (stored records, filters, integrations); its words say what it counts: the caller left the
    # scenario before its end, in a menu or not (a Say Phrase block's), and not while a transfer rang.
    "abandoned_in_menu": Words("Abandoned before the end", "Abandonada antes del final", "Брошен до конца сценария"),
    "abandoned_waiting": Words("Abandoned during a transfer", "Abandonada durante una transferencia",
                               "Брошен во время перевода"),
    "transferred": Words("Transferred", "Transferida", "Переведён"),
    "failed": Words("Failed", "Fallida", "Сбой"),
    "callback_scheduled": Words("Callback scheduled", "Devolución programada", "Запланирован обратный звонок"),
}  # fmt: skip

# What a call's last transfer came to (graph_engine.channel.TransferOutcome, persistence.calls.TRANSFER_LEFT_BY_CALLER).
TRANSFER_OUTCOMES: Final[Vocabulary] = {
    "answered": Words("Answered", "Contestada", "Ответили"),
    "busy": Words("Busy", "Ocupado", "Занято"),
    "no_answer": Words("No answer", "Sin respuesta", "Нет ответа"),
    "failed": Words("Failed", "Fallida", "Не удался"),
    "caller_hangup": Words("The caller hung up while it rang", "Quien llama colgó mientras sonaba",
                           "Абонент положил трубку, пока шёл вызов"),
}  # fmt: skip


# What the caller hung up during (`hangup_during`): the channel operation their hangup cut (agi_server.channel),
# read under the column's title ("Colgó durante": "Un mensaje").
HANGUP_MOMENTS: Final[Vocabulary] = {
    "answer": Words("Answering the call", "La respuesta a la llamada", "Ответ на звонок"),
    "play": Words("A prompt", "Un mensaje", "Сообщение"),
    "read_digits": Words("A prompt asking for keys, or the wait for them", "Un mensaje que pedía teclas, o su espera",
                         "Сообщение с запросом клавиш или ожидание нажатия"),
    "transfer": Words("A transfer (ringing, queued or connected)", "Una transferencia (sonando, en cola o conectada)",
                      "Перевод (вызов, очередь или разговор)"),
    "get_variable": Words("Reading a channel variable", "La lectura de una variable del canal",
                          "Чтение переменной канала"),
    "set_variable": Words("Setting a channel variable", "La asignación de una variable del canal",
                          "Запись переменной канала"),
}  # fmt: skip


@dataclass(frozen=True)
class NamedCodes:
    """Codes of one shape, a prefix and a name (`block:sql`), in words: `words` with `{name}` the name as the
    export's `names` call it in its language, else as it is (a closed set of shapes over an open set of names)."""

    prefix: str
    words: Words


# A hangup while a block worked off the channel (a database lookup, a phrase being synthesised), the caller hearing
# silence: `block:` and the block's type, named by its title in the language (`block_titles`). Spanish and Russian
# quote it: «SQL-запрос» does not decline after «блок». "Away from the line" was jargon to a supervisor (review).
BLOCK_WORK: Final = NamedCodes(
    DURING_BLOCK_WORK,
    Words("The silence while the {name} block ran", "El silencio mientras se ejecutaba el bloque «{name}»",
          "Тишина, пока выполнялся блок «{name}»"),
)  # fmt: skip


def block_titles(registry: BlockRegistry, language: ReportLanguage) -> Mapping[str, str]:
    """The names of `registry`'s block types in `language`, as the designer shows them: a block's title in its
    `translations` for the language (a built-in's and a plugin's alike: `sql`: `Consulta SQL`), else its English
    title (`SQL Query`); none when raw, which keeps the codes."""
    if language == "raw":
        return {}
    return {
        name: block.translations.get(language, {}).get("title") or block.title for name, block in registry.types.items()
    }


@dataclass(frozen=True)
class Wording:
    """An export's words in one language: its column titles, its codes' labels by column, its sheet's name; the
    columns whose codes are a prefix and a name, each with its words (`{name}` in them) and the names in this
    language. Raw (`raw`) has none: every name and code as it is."""

    titles: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]]
    sheet: str
    named: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def rows(self, names: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[Sequence[object]]:
        """`rows`, whose cells `names` names (then any others, left alone), each code of a labelled column in words;
        read as the result is: nothing is held."""
        labelled = [(index, self._words_of(name)) for index, name in enumerate(names)
                    if name in self.labels or name in self.named]  # fmt: skip
        if not labelled:
            return rows
        return (_in_words(row, labelled) for row in rows)

    def _words_of(self, column: str) -> Callable[[str], str]:
        """How a code of `column` is said: by its label, or by its shape's words; a code neither knows as it is."""
        labels = self.labels.get(column, {})
        prefix, words = self.named.get(column, (None, ""))

        def said(code: str) -> str:
            if code in labels:
                return labels[code]
            if prefix is not None and code.startswith(prefix) and len(code) > len(prefix):
                name = code[len(prefix) :]
                return words.format(name=self.names.get(name, name))
            return code

        return said


def _in_words(row: Sequence[object], labelled: Sequence[tuple[int, Callable[[str], str]]]) -> list[object]:
    cells = list(row)
    for index, said in labelled:
        code = cells[index]
        if isinstance(code, str):
            cells[index] = said(code)
    return cells


@dataclass(frozen=True)
class ReportWords:
    """An export's words in every language: each column's title, the vocabulary of each column holding codes, and
    its XLSX sheet's name (`sheet` when raw)."""

    titles: Mapping[str, Words]
    codes: Mapping[str, Vocabulary]
    sheet: str
    sheet_titles: Words
    # Columns whose codes are a prefix and a name (`hangup_during`'s `block:sql`), beside their closed set of codes.
    named_codes: Mapping[str, NamedCodes] = field(default_factory=dict)

    def wording(self, language: ReportLanguage, names: Mapping[str, str] | None = None) -> Wording:
        """The words in `language`; `names`: what the names in `named_codes` are called in it (`block_titles`)."""
        if language == "raw":
            return Wording(titles={}, labels={}, sheet=self.sheet)
        return Wording(
            titles={name: getattr(words, language) for name, words in self.titles.items()},
            labels={name: {code: getattr(words, language) for code, words in vocabulary.items()}
                    for name, vocabulary in self.codes.items()},
            sheet=getattr(self.sheet_titles, language),
            named={column: (named.prefix, getattr(named.words, language))
                   for column, named in self.named_codes.items()},
            names=names or {},
        )  # fmt: skip


# When the call was connected (the line picked up), not when the client answered the scenario's question:
# "Время ответа" read as the latter (review of a Russian supervisor).
CONNECTED_AT: Final = Words("Connected at", "Hora de conexión", "Время соединения")

# Which way a call went (api.routes.calls.direction).
CALL_DIRECTIONS: Final[Vocabulary] = {
    "inbound": Words("Inbound", "Entrante", "Входящий"),
    "outbound": Words("Outbound", "Saliente", "Исходящий"),
}

# `GET /api/calls.csv` and `.xlsx` (api.routes.calls.CSV_COLUMNS).
CALL_REGISTER: Final = ReportWords(
    titles={
        "id": Words("Call ID", "ID de la llamada", "ID звонка"),
        "scenario": Words("Scenario", "Escenario", "Сценарий"),
        "version": Words("Version", "Versión", "Версия"),
        "status": Words("Status", "Estado", "Статус"),
        # How the call ended, as the designer's column says it: «Resultado» read as the scenario's declared result,
        # which is the answer (Spanish review; a campaign report says «Cómo terminó la llamada»).
        "outcome": Words("Outcome", "Cómo terminó", "Итог"),
        "result": Words("Answer", "Respuesta", "Ответ"),
        # The scenario's own words for it (its `results`' label), which the designer's editor calls a label.
        "result_label": Words("Answer (label)", "Respuesta (etiqueta)", "Ответ (название)"),
        # The other party in either direction (api.routes.calls._cell): who called in, or whom the dialer rang. An
        # outbound call's client read as the caller under "Имя звонящего" (review of a Russian supervisor).
        "caller_id": Words("Contact number", "Número del abonado", "Номер абонента"),
        "caller_name": Words("Contact name", "Nombre del abonado", "Имя абонента"),
        "dialed_number": Words("Dialled number", "Número marcado", "Набранный номер"),
        "started_at": Words("Started at", "Hora de inicio", "Время начала"),
        "answered_at": CONNECTED_AT,
        "ended_at": Words("Ended at", "Hora de fin", "Время окончания"),
        "duration_ms": Words("Duration (ms)", "Duración (ms)", "Длительность (мс)"),
        "last_node": Words("Last block", "Último bloque", "Последний блок"),
        "hangup_during": Words("Caller hung up during", "Colgó durante", "Положил трубку во время"),
        "transfer_outcome": Words("Transfer outcome", "Resultado de la transferencia", "Итог перевода"),
        "origin_call_id": Words("Scheduled by call", "Programada por la llamada", "Заказан звонком"),
        "callback_job_id": Words("Callback job", "Trabajo de devolución", "Задание обратного звонка"),
        "asterisk_uniqueid": Words("Asterisk UniqueID", "UniqueID de Asterisk", "UniqueID Asterisk"),
        "recorded_at": Words("Recorded at", "Hora de registro", "Время записи"),
        "channel": Words("Channel", "Canal", "Канал"),
        # The server that took the call, named apart from "Last block" (`last_node`, a step of the scenario).
        "node": Words("Server node", "Nodo del servidor", "Узел сервера"),
        "scheduled_job_ids": Words("Callbacks scheduled", "Devoluciones programadas", "Заказанные обратные звонки"),
        "error_steps": Words("Steps with errors", "Pasos con error", "Шаги с ошибкой"),
        "direction": Words("Direction", "Dirección", "Направление"),
        # Beside the slug (`scenario`), which a supervisor does not know the scenario by.
        "scenario_name": Words("Scenario name", "Nombre del escenario", "Название сценария"),
    },
    codes={"status": CALL_STATUSES, "outcome": CALL_OUTCOMES, "transfer_outcome": TRANSFER_OUTCOMES,
           "hangup_during": HANGUP_MOMENTS, "direction": CALL_DIRECTIONS},
    sheet="calls",
    sheet_titles=Words("Calls", "Llamadas", "Звонки"),
    named_codes={"hangup_during": BLOCK_WORK},
)  # fmt: skip

# A campaign report's `status` (persistence.campaign_reports): a client's job status, or what the report says
# besides it.
REPORT_STATUSES: Final[Vocabulary] = {
    **JOB_STATUSES,
    REPORT_PAUSED: Words("Waiting (paused)", "En espera (en pausa)", "Ожидает (пауза)"),
    REPORT_SKIPPED: Words("Skipped: not called", "Omitida: no se llama", "Пропущена: не звоним"),
}
# A row skipped as a duplicate: its `outcome` names the row called instead (`duplicate_of:2`).
SKIPPED_DUPLICATE: Final = NamedCodes(
    DUPLICATE_OF, Words("Duplicate of row {name}", "Duplicado de la fila {name}", "Повтор строки {name}")
)

# `GET /api/callbacks/campaigns/<id>.csv` and `.xlsx` (api.routes.callbacks.REPORT_COLUMNS); the list's own
# columns after them keep the names they were imported with.
CAMPAIGN_REPORT: Final = ReportWords(
    titles={
        "row": Words("Row", "Fila", "Строка"),
        "number": Words("Number", "Número", "Номер"),
        "status": Words("Status", "Estado", "Статус"),
        "attempts": Words("Attempts", "Intentos", "Попытки"),
        "outcome": Words("Last outcome", "Último resultado", "Последний итог"),
        "last_attempt_at": Words("Last attempt", "Último intento", "Последняя попытка"),
        "result": Words("Answer", "Respuesta", "Ответ"),
        "result_label": Words("Answer (label)", "Respuesta (etiqueta)", "Ответ (название)"),
        "call_outcome": Words("How the call ended", "Cómo terminó la llamada", "Чем закончился звонок"),
        "answered_at": CONNECTED_AT,
        "call_id": Words("Call ID", "ID de la llamada", "ID звонка"),
    },
    codes={"status": REPORT_STATUSES, "outcome": DIAL_OUTCOMES, "call_outcome": CALL_OUTCOMES},
    sheet="report",
    sheet_titles=Words("Report", "Informe", "Отчёт"),
    named_codes={"outcome": SKIPPED_DUPLICATE},
)
