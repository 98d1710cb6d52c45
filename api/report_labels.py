# ruff: noqa: RUF001  -- Russian words are the point of this module, not look-alike Latin letters
"""The words of the register's exports in the designer's languages: each column's title, and each status and
outcome code in words. A Spanish supervisor opening a campaign's report in Excel read `row,number,status,...` and
`done`, `answered`, `hung_up` (review, 2026-12).

An export asked for in a language (`lang=en`, `es` or `ru`, what the designer sends) has these titles and labels;
without `lang`, or with `lang=raw`, it is the file it always was, column names and codes, which BI tools and scripts
parse. The columns and their order are the same in either, and so are the other cells (a scenario's own `result`,
ids, times, a list's own columns). A code without words here (one a newer node wrote) is written as it is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Final, Literal, NamedTuple

from fastapi import Query

ReportLanguage = Literal["raw", "en", "es", "ru"]
LanguageQuery = Annotated[
    ReportLanguage,
    Query(
        description="The language of the column titles and of the status and outcome labels (`Estado`: `Contactado`), "
        "for people opening the file: `en`, `es` or `ru`, as the designer sends its own. `raw` (the default) keeps "
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
}  # fmt: skip

# How a call's scenario ended (graph_engine.trace.CallOutcome), or why none ran (agi_server.metrics.CALL_OUTCOMES).
CALL_OUTCOMES: Final[Vocabulary] = {
    "hung_up": Words("The scenario hung up", "El escenario colgó", "Сценарий завершил звонок"),
    "caller_hangup": Words("The caller hung up", "Quien llama colgó", "Абонент положил трубку"),
    "transferred": Words("Transferred", "Transferida", "Переведён"),
    "ended": Words("Ended (an exit led nowhere)", "Terminada (una salida no llevaba a ninguna parte)",
                   "Завершён (выход никуда не вёл)"),
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
    "abandoned_in_menu": Words("Abandoned in menu", "Abandonada en el menú", "Брошен в меню"),
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


@dataclass(frozen=True)
class Wording:
    """An export's words in one language: its column titles, its codes' labels by column, its sheet's name. Raw
    (`raw`) has none: every name and code as it is."""

    titles: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]]
    sheet: str

    def rows(self, names: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[Sequence[object]]:
        """`rows`, whose cells `names` names (then any others, left alone), each code of a labelled column in words;
        read as the result is: nothing is held."""
        labelled = [(index, self.labels[name]) for index, name in enumerate(names) if name in self.labels]
        if not labelled:
            return rows
        return (_in_words(row, labelled) for row in rows)


def _in_words(row: Sequence[object], labelled: Sequence[tuple[int, Mapping[str, str]]]) -> list[object]:
    cells = list(row)
    for index, labels in labelled:
        code = cells[index]
        if isinstance(code, str):
            cells[index] = labels.get(code, code)
    return cells


@dataclass(frozen=True)
class ReportWords:
    """An export's words in every language: each column's title, the vocabulary of each column holding codes, and
    its XLSX sheet's name (`sheet` when raw)."""

    titles: Mapping[str, Words]
    codes: Mapping[str, Vocabulary]
    sheet: str
    sheet_titles: Words

    def wording(self, language: ReportLanguage) -> Wording:
        if language == "raw":
            return Wording(titles={}, labels={}, sheet=self.sheet)
        return Wording(
            titles={name: getattr(words, language) for name, words in self.titles.items()},
            labels={name: {code: getattr(words, language) for code, words in vocabulary.items()}
                    for name, vocabulary in self.codes.items()},
            sheet=getattr(self.sheet_titles, language),
        )  # fmt: skip


# `GET /api/calls.csv` and `.xlsx` (api.routes.calls.CSV_COLUMNS).
CALL_REGISTER: Final = ReportWords(
    titles={
        "id": Words("Call ID", "ID de la llamada", "ID звонка"),
        "scenario": Words("Scenario", "Escenario", "Сценарий"),
        "version": Words("Version", "Versión", "Версия"),
        "status": Words("Status", "Estado", "Статус"),
        "outcome": Words("Outcome", "Resultado", "Итог"),
        "result": Words("Answer", "Respuesta", "Ответ"),
        "caller_id": Words("Caller's number", "Número del llamante", "Номер звонящего"),
        "caller_name": Words("Caller's name", "Nombre del llamante", "Имя звонящего"),
        "dialed_number": Words("Dialled number", "Número marcado", "Набранный номер"),
        "started_at": Words("Started at", "Hora de inicio", "Время начала"),
        "answered_at": Words("Answered at", "Hora de respuesta", "Время ответа"),
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
        "scheduled_job_ids": Words("Callbacks scheduled", "Devoluciones programadas", "Заказанные обратные звонки"),
        "error_steps": Words("Steps with errors", "Pasos con error", "Шаги с ошибкой"),
    },
    codes={"status": CALL_STATUSES, "outcome": CALL_OUTCOMES, "transfer_outcome": TRANSFER_OUTCOMES},
    sheet="calls",
    sheet_titles=Words("Calls", "Llamadas", "Звонки"),
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
        "call_outcome": Words("How the call ended", "Cómo terminó la llamada", "Чем закончился звонок"),
        "answered_at": Words("Answered at", "Hora de respuesta", "Время ответа"),
        "call_id": Words("Call ID", "ID de la llamada", "ID звонка"),
    },
    codes={"status": JOB_STATUSES, "outcome": DIAL_OUTCOMES, "call_outcome": CALL_OUTCOMES},
    sheet="report",
    sheet_titles=Words("Report", "Informe", "Отчёт"),
)
