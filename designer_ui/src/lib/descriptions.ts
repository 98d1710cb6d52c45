/**
 * Spanish and Russian for the descriptions the server sends in English: each built-in block's, each field's of
 * the built-in blocks' config schemas, and those of schemas/scenario.schema.json. Keyed by the English text
 * itself: a description the server rewords shows as the server wrote it rather than a translation of older
 * words, and a plugin's own descriptions, unknown here, are said in the words its plugin gives for the language
 * (`specDescription`), else as the plugin wrote them. A test keeps every built-in description of the catalog and
 * the scenario format in this table.
 */
import type { BlockSpec } from "./catalog";
import type { Language } from "./i18n";

type Translated = Exclude<Language, "en">;

/**
 * English description -> Spanish and Russian. A choice, field or exit a description names is called as the form
 * and the canvas call it ("Menú", «Попытки исчерпаны»), so the help reads like the screen around it.
 */
const DESCRIPTIONS: Record<string, Record<Translated, string>> = {
  // Blocks.
  "Schedules an outbound call to a number after a delay, only within allowed hours.": {
    es: "Programa una llamada saliente a un número al cabo de un tiempo, solo dentro de las horas permitidas.",
    ru: "Планирует исходящий звонок на номер через заданное время, только в разрешённые часы.",
  },
  "Dials a number, extension, queue (queue:sales) or channel (PJSIP/101) and bridges the caller.": {
    es: "Marca un número, una extensión, una cola (queue:ventas) o un canal (PJSIP/101) y conecta con él al llamante.",
    ru: "Набирает номер, внутренний номер, очередь (queue:sales) или канал (PJSIP/101) и соединяет с ним звонящего.",
  },
  "Runs a query on a configured data source and branches on whether it found a row.": {
    es: "Ejecuta una consulta en un origen de datos configurado y sigue un camino u otro según encuentre una fila o no.",
    ru: "Выполняет запрос к настроенному источнику данных и ветвится по тому, нашлась ли строка.",
  },
  "Sets variables, from text with {{ placeholders }} or from an expression.": {
    es: "Asigna variables, a partir de un texto con {{ marcadores }} o de una expresión.",
    ru: "Задаёт переменные: из текста с {{ подстановками }} или из выражения.",
  },
  "Branches on an expression, e.g. caller_id in vip_numbers, or debt_amount > 100.": {
    es: "Sigue un camino u otro según una expresión, p. ej. caller_id in vip_numbers, o debt_amount > 100.",
    ru: "Ветвится по выражению, например caller_id in vip_numbers или debt_amount > 100.",
  },
  "Jumps to another block of this scenario (e.g. back to the main menu).": {
    es: "Salta a otro bloque de este escenario (p. ej. de vuelta al menú principal).",
    ru: "Переходит к другому блоку этого сценария (например, обратно в главное меню).",
  },
  "Continues the call in another scenario (its published version), keeping the call's variables; that scenario's own variables start at their defaults, and it speaks its own language unless the call set another one.":
    {
      es: "Continúa la llamada en otro escenario (su versión publicada) y conserva las variables de la llamada; las variables propias de ese escenario empiezan con sus valores por defecto, y habla en su propio idioma salvo que la llamada haya fijado otro.",
      ru: "Продолжает звонок в другом сценарии (в его опубликованной версии), сохраняя переменные звонка; собственные переменные того сценария начинаются со значений по умолчанию, и он говорит на своём языке, если звонок не задал другой.",
    },
  "Ends the call.": { es: "Termina la llamada.", ru: "Завершает звонок." },
  "Checks office hours and holidays: open or closed.": {
    es: "Comprueba el horario de apertura y los festivos: abierto o cerrado.",
    ru: "Проверяет часы работы и праздники: открыто или закрыто.",
  },
  "Where the call enters. Answers the line and makes the channel facts available as variables: call_id, caller_id, caller_name, dialed_number, channel, channel_language, language.":
    {
      es: "Por donde entra la llamada. Contesta la línea y deja los datos del canal en variables: call_id, caller_id, caller_name, dialed_number, channel, channel_language, language.",
      ru: "Точка входа звонка. Отвечает на вызов и делает сведения о канале доступными как переменные: call_id, caller_id, caller_name, dialed_number, channel, channel_language, language.",
    },
  // "default" is the exit the canvas labels Otro / Иначе.
  "Routes by a value: one exit per case, and default for anything else.": {
    es: "Dirige la llamada según un valor: una salida por caso, y «Otro» para todo lo demás.",
    ru: "Направляет звонок по значению: по выходу на каждый вариант и «Иначе» для всего остального.",
  },
  "Plays a menu and routes by the key pressed, or captures a number typed by the caller.": {
    es: "Reproduce un menú y dirige la llamada según la tecla pulsada, o recoge un número que marca el llamante.",
    ru: "Проигрывает меню и направляет звонок по нажатой клавише или принимает номер, набранный звонящим.",
  },
  "Plays a recorded message. The caller may interrupt it with a key when allowed.": {
    es: "Reproduce un mensaje grabado. El llamante puede interrumpirlo con una tecla si se permite.",
    ru: "Проигрывает записанное сообщение. Звонящий может прервать его клавишей, если это разрешено.",
  },
  "Speaks a phrase built from variables, e.g. 'Hola {{ contact.name }}, debe {{ debt_amount }} euros'.": {
    es: "Dice una frase construida con variables, p. ej. «Hola {{ contact.name }}, debe {{ debt_amount }} euros».",
    ru: "Произносит фразу, собранную из переменных, например «Здравствуйте, {{ contact.name }}, ваш долг {{ debt_amount }} рублей».",
  },

  // Fields of the built-in blocks.
  "IANA name, e.g. Europe/Madrid, Europe/Moscow, Asia/Almaty.": {
    es: "Nombre IANA, p. ej. Europe/Madrid, Atlantic/Canary, America/Mexico_City.",
    ru: "Название по IANA, например Europe/Moscow, Europe/Samara, Asia/Almaty.",
  },
  "24-hour HH:MM, e.g. 09:00 or 18:30; midnight is 00:00.": {
    es: "HH:MM en formato de 24 horas, p. ej. 09:00 o 18:30; la medianoche es 00:00.",
    ru: "ЧЧ:ММ в 24-часовом формате, например 09:00 или 18:30; полночь — 00:00.",
  },
  "Dates (YYYY-MM-DD, local) with no callbacks at all.": {
    es: "Fechas (AAAA-MM-DD, hora local) en las que no se devuelve ninguna llamada.",
    ru: "Даты (ГГГГ-ММ-ДД, по местному времени), в которые обратных звонков нет вовсе.",
  },
  // The choices as the form names them (Aplazar / Rechazar) and the exit as the canvas does.
  "defer: call at the next allowed time; reject: take the rejected exit.": {
    es: "Aplazar: llamar en la siguiente hora permitida; Rechazar: salir por «Rechazada».",
    ru: "Отложить: позвонить в ближайшее разрешённое время; Отклонить: уйти на выход «Отклонён».",
  },
  "A number or extension (101, +34910000000), queue:NAME, or a channel like PJSIP/101. May use variables: {{ typed_number }}, PJSIP/{{ extension }}. A variable gives a number, a queue, or an extension: the technology and route of a channel are written here.":
    {
      es: "Un número o una extensión (101, +34910000000), queue:NOMBRE, o un canal como PJSIP/101. Admite variables: {{ typed_number }}, PJSIP/{{ extension }}. Una variable da un número, una cola o una extensión: la tecnología y la ruta de un canal se escriben aquí.",
      ru: "Номер или внутренний номер (101, +74951234567), queue:ИМЯ или канал вида PJSIP/101. Можно использовать переменные: {{ typed_number }}, PJSIP/{{ extension }}. Переменная даёт номер, очередь или внутренний номер: технология и маршрут канала пишутся здесь.",
    },
  // The other field named as the form names it in each language (schemaText.ts).
  "The number the person called sees instead of the caller's: digits with an optional leading +, or a variable such as {{ caller_id }}. The name goes in Caller name shown.":
    {
      es: "El número que ve la persona a la que se llama en lugar del del llamante: cifras con un + inicial opcional, o una variable como {{ caller_id }}. El nombre va en Nombre mostrado.",
      ru: "Номер, который видит вызываемый вместо номера звонящего: цифры, можно с + в начале, или переменная, например {{ caller_id }}. Имя указывается в поле «Показываемое имя».",
    },
  "The name the person called sees with the number, e.g. {{ contact.name }} from a lookup. Line breaks are removed and a long name is cut to 50 characters; a name that comes out empty, or whose variable has no value, is not set and the call goes through.":
    {
      es: "El nombre que ve la persona a la que se llama junto al número, p. ej. {{ contact.name }} de una consulta. Se quitan los saltos de línea y un nombre largo se corta a 50 caracteres; un nombre que queda vacío, o cuya variable no tiene valor, no se pone y la llamada sigue.",
      ru: "Имя, которое видит вызываемый рядом с номером, например {{ contact.name }} из запроса к CRM. Переводы строк убираются, длинное имя обрезается до 50 символов; пустое имя или имя из переменной без значения не передаётся, а звонок всё равно соединяется.",
    },
  "Use :variable for values, e.g. SELECT name FROM staff WHERE phone = :caller_id": {
    es: "Use :variable para los valores, p. ej. SELECT name FROM staff WHERE phone = :caller_id",
    ru: "Значения подставляйте как :переменная, например SELECT name FROM staff WHERE phone = :caller_id",
  },
  "Result column -> variable that receives its value (first row).": {
    es: "Columna del resultado -> variable que recibe su valor (de la primera fila).",
    ru: "Столбец результата -> переменная, которая получает его значение (из первой строки).",
  },
  "A result column as the database names it (Сумма, amount), at most 256 characters.": {
    es: "Una columna del resultado, tal como la nombra la base de datos (Importe, amount), de 256 caracteres como máximo.",
    ru: "Столбец результата так, как его называет база данных (Сумма, amount), не длиннее 256 символов.",
  },
  "A variable name: letters, digits and _, not starting with a digit.": {
    es: "Un nombre de variable: letras, cifras y _, sin empezar por cifra.",
    ru: "Имя переменной: латинские буквы, цифры и _, не с цифры.",
  },
  // The choices as the form names them (Texto / Expresión).
  "text: {{ placeholders }} are filled in; expression: computed (numbers, lists, true/false).": {
    es: "Texto: se rellenan los {{ marcadores }}; Expresión: se calcula (números, listas, true/false).",
    ru: "Текст: {{ подстановки }} заполняются; Выражение: вычисляется (числа, списки, true/false).",
  },
  "Stored in the call's `result` variable: one of the call results the scenario declares, which reports show by its label.": {
    es: "Se guarda en la variable `result` de la llamada: uno de los resultados que declara el escenario, que los informes muestran por su etiqueta.",
    ru: "Сохраняется в переменной звонка `result`: один из результатов, объявленных в сценарии; отчёты показывают его по названию.",
  },
  "Turn off only for flows that must not be billed before a decision.": {
    es: "Desactívelo solo en flujos que no deban facturarse antes de tomar una decisión.",
    ru: "Отключайте только в сценариях, которые не должны тарифицироваться до принятия решения.",
  },
  "An expression, e.g. customer_tier or language.": {
    es: "Una expresión, p. ej. customer_tier o language.",
    ru: "Выражение, например customer_tier или language.",
  },
  // The choices as the form names them (Menú / Captura de número), the terminator by its field's title.
  "menu: one exit per key. capture: the caller types a number, ended by the terminator.": {
    es: "Menú: una salida por tecla. Captura de número: el llamante marca un número y lo termina con la tecla que termina la entrada.",
    ru: "Меню: по выходу на каждую клавишу. Ввод номера: звонящий набирает номер и завершает его клавишей окончания ввода.",
  },
  "A recorded audio asset (or an Asterisk sound such as vm-press).": {
    es: "Un audio grabado (o un sonido de Asterisk como vm-press).",
    ru: "Загруженная запись (или звук Asterisk, например vm-press).",
  },
  "Leave empty to use the scenario's language.": {
    es: "Déjelo vacío para usar el idioma del escenario.",
    ru: "Оставьте пустым, чтобы использовать язык сценария.",
  },
  // The block and the exit as the canvas names them.
  "Counted each time the call comes to this block: a Go To back to it starts over, so lead max_tries to a goodbye or an operator rather than back here.":
    {
      es: "Se cuentan de nuevo cada vez que la llamada llega a este bloque: un «Ir a» que vuelve aquí empieza de cero, así que lleve la salida «Demasiados intentos» a una despedida o a un operador, no de vuelta aquí.",
      ru: "Считаются заново при каждом приходе звонка в этот блок: «Перейти к блоку» обратно сюда начинает счёт сначала, поэтому ведите выход «Попытки исчерпаны» к прощанию или оператору, а не обратно сюда.",
    },
  "A longer entry is invalid (the caller hears the wrong-entry prompt and tries again). When Min digits equals it, the entry ends by itself at its last digit; otherwise the caller ends it with the terminator, or it ends at the timeout.":
    {
      es: "Una entrada más larga no es válida (el llamante oye el mensaje de entrada incorrecta y vuelve a intentarlo). Si «Mín. cifras» es igual, la entrada termina sola en su última cifra; si no, el llamante la termina con la tecla que termina la entrada, o termina al agotarse el tiempo.",
      ru: "Более длинный ввод неверен (звонящий слышит сообщение о неверном вводе и пробует снова). Если «Мин. цифр» равно этому числу, ввод заканчивается сам на последней цифре; иначе звонящий завершает его клавишей окончания ввода, или он заканчивается по тайм-ауту.",
    },
  "Off: after the last failed try the call takes one exit, Too many tries. On: two exits instead. Nothing pressed: no key in any try (nobody listening, an answering machine). Wrong keys: a wrong key, or an entry that is not valid, in at least one try, even if a later try got nothing: someone was there. Pressing only the terminator counts as nothing pressed.":
    {
      es: "Desactivado: tras el último intento fallido la llamada toma una sola salida, «Demasiados intentos». Activado: dos salidas en su lugar. «Nada pulsado»: ninguna tecla en ningún intento (nadie escucha, un contestador automático). «Teclas incorrectas»: una tecla incorrecta, o una entrada no válida, en al menos un intento, aunque en uno posterior no se pulsara nada: había alguien. Pulsar solo la tecla que termina la entrada cuenta como «Nada pulsado».",
      ru: "Выключено: после последней неудачной попытки звонок идёт в один выход, «Попытки исчерпаны». Включено: вместо него два выхода. «Ничего не нажато»: ни одной клавиши ни в одной попытке (никто не слушает, автоответчик). «Неверные клавиши»: неверная клавиша или недопустимый ввод хотя бы в одной попытке, даже если в следующей ничего не нажали: кто-то был на линии. Нажатие одной лишь клавиши окончания ввода считается как «Ничего не нажато».",
    },
  "Off: only the digits 0-9 are a valid entry, so a caller cannot type a PBX feature code (*21*...) where a number is asked for.":
    {
      es: "Desactivado: solo las cifras 0-9 son una entrada válida, así que el llamante no puede marcar un código de servicio de la centralita (*21*...) donde se pide un número.",
      ru: "Выключено: допустимы только цифры 0-9, так что звонящий не сможет набрать служебный код АТС (*21*...) там, где запрашивается номер.",
    },
  "Empty: the message always plays to the end.": {
    es: "Vacío: el mensaje siempre se reproduce hasta el final.",
    ru: "Пусто: сообщение всегда проигрывается до конца.",
  },

  // schemas/scenario.schema.json.
  "A call flow: blocks (nodes) joined by named exits (edges). Shaped like a React Flow document so the designer converts without loss.":
    {
      es: "Un flujo de llamada: bloques (nodos) unidos por salidas con nombre (aristas). Tiene la forma de un documento de React Flow para que el diseñador lo convierta sin pérdidas.",
      ru: "Сценарий звонка: блоки (узлы), соединённые именованными выходами (рёбрами). Устроен как документ React Flow, чтобы дизайнер преобразовывал его без потерь.",
    },
  "Document format and version.": { es: "Formato y versión del documento.", ru: "Формат и версия документа." },
  "Default language of prompts and speech (BCP 47, e.g. es, es-ES, ru, kk).": {
    es: "Idioma por defecto de los mensajes y de la voz (BCP 47, p. ej. es, es-ES, es-MX, ru).",
    ru: "Язык сообщений и речи по умолчанию (BCP 47, например ru, ru-RU, kk, es).",
  },
  "Node to go to when a block fails and its error exit is not wired.": {
    es: "Bloque al que ir cuando un bloque falla y su salida de error no está conectada.",
    ru: "Блок, куда идёт звонок, когда блок дал сбой, а его выход ошибки не подключён.",
  },
  "Where the designer's canvas was last looking; ignored by the engine.": {
    es: "Adónde miraba por última vez el lienzo del diseñador; el motor no lo usa.",
    ru: "Куда в последний раз смотрел холст дизайнера; движок это не использует.",
  },
  "Free-form data kept for tools; ignored by the engine.": {
    es: "Datos libres que se guardan para otras herramientas; el motor no los usa.",
    ru: "Произвольные данные для инструментов; движок их не использует.",
  },
  "Letters, digits and _ (at most 64), not starting with a digit: customer_name, not customer name.": {
    es: "Letras, cifras y _ (64 como máximo), sin empezar por cifra: nombre_cliente, no nombre cliente.",
    ru: "Латинские буквы, цифры и _ (не длиннее 64), не с цифры: customer_name, а не customer name.",
  },
  "TTS engine name, e.g. gtts or espeak-ng.": {
    es: "Nombre del motor de síntesis de voz, p. ej. gtts o espeak-ng.",
    ru: "Имя движка синтеза речи, например gtts или espeak-ng.",
  },
  "Engine-specific voice name.": { es: "Nombre de la voz, propio de cada motor.", ru: "Имя голоса, своё у каждого движка." },
  "What the variable holds. A date is ISO 8601 text (2026-11-30), as templates such as spoken_date read it; a call list's date column is checked against it.":
    {
      es: "Lo que contiene la variable. Una fecha es texto ISO 8601 (2026-11-30), como lo leen plantillas como spoken_date; la columna de fecha de una lista de llamadas se comprueba con este tipo.",
      ru: "Что хранит переменная. Дата — это текст ISO 8601 (2026-11-30), как его читают шаблоны вроде spoken_date; столбец даты в списке обзвона проверяется по этому типу.",
    },
  "Hidden in call logs: a PIN, an account number, a date of birth. The call uses the real value; its record, trace and story show only how long it was, e.g. [hidden: 4 characters].":
    {
      es: "Oculta en los registros de llamadas: un PIN, un número de cuenta, una fecha de nacimiento. La llamada usa el valor real; su registro, su traza y su historia solo muestran cuántos caracteres tenía, p. ej. [hidden: 4 characters].",
      ru: "Скрыта в журналах звонков: ПИН-код, номер счёта, дата рождения. Звонок использует настоящее значение; в его записи, трассе и истории видна только длина, например [hidden: 4 characters].",
    },
  "The call results this scenario records in its `result` variable (a Set Variable or Hang Up block writes the code), each with the words reports and call records show for it.":
    {
      es: "Los resultados de la llamada que este escenario guarda en su variable `result` (un bloque Asignar variable o Colgar escribe el código), cada uno con el texto que los informes y el registro de llamadas muestran para él.",
      ru: "Результаты звонка, которые сценарий записывает в переменную `result` (код пишет блок «Задать переменную» или «Завершить»), каждый с названием, которое показывают отчёты и журнал звонков.",
    },
  "What the flow writes into `result`: letters, digits and _ (at most 64, what the call register keeps), e.g. will_pay.":
    {
      es: "Lo que el flujo escribe en `result`: letras, cifras y _ (64 como máximo, lo que guarda el registro de llamadas), p. ej. will_pay.",
      ru: "Что сценарий записывает в `result`: латинские буквы, цифры и _ (не длиннее 64 — столько хранит журнал звонков), например will_pay.",
    },
  "What reports and call records show for it, in the scenario's language, e.g. Pagará; no invisible direction or zero-width characters.":
    {
      es: "Lo que los informes y el registro de llamadas muestran para él, en el idioma del escenario, p. ej. Pagará; sin caracteres invisibles de dirección ni de ancho cero.",
      ru: "Что для него показывают отчёты и журнал звонков, на языке сценария, например «Оплатит»; без невидимых символов направления текста и нулевой ширины.",
    },
  "Notes on the result for whoever edits the scenario; no invisible direction or zero-width characters.": {
    es: "Notas sobre el resultado para quien edite el escenario; sin caracteres invisibles de dirección ni de ancho cero.",
    ru: "Заметки о результате для тех, кто правит сценарий; без невидимых символов направления текста и нулевой ширины.",
  },
  "Block type (registry key).": { es: "Tipo de bloque (clave del registro).", ru: "Тип блока (ключ реестра)." },
  "Block settings, validated by the block's own schema.": {
    es: "Ajustes del bloque, validados por el esquema del propio bloque.",
    ru: "Настройки блока, проверяемые его собственной схемой.",
  },
  "Exit name on the source block (React Flow's sourceHandle).": {
    es: "Nombre de la salida en el bloque de origen (sourceHandle de React Flow).",
    ru: "Имя выхода исходного блока (sourceHandle в React Flow).",
  },
};

/** A description as the server sends it (English) in the interface language; one the designer has no words for as it is. */
export function localDescription(description: string, language: Language): string {
  if (language === "en" || !Object.hasOwn(DESCRIPTIONS, description)) return description;
  return DESCRIPTIONS[description]![language];
}

/**
 * A block type's description in `language`: the designer's own words for a built-in's, else those its plugin gives
 * for the language (the catalog's `translations`), else the server's English (lib/blockText.ts `specTitle` alike).
 */
export function specDescription(language: Language, spec: BlockSpec): string {
  const own = localDescription(spec.description, language);
  if (own !== spec.description) return own;
  return spec.translations?.[language]?.description ?? spec.description;
}

/**
 * The scenario format's descriptions of the fields the settings panel draws itself (not from the schema), in
 * English as schemas/scenario.schema.json has them: the panel's help under those fields. A test keeps them equal.
 */
export const SCENARIO_FIELD_HELP = {
  language: "Default language of prompts and speech (BCP 47, e.g. es, es-ES, ru, kk).",
  variableType:
    "What the variable holds. A date is ISO 8601 text (2026-11-30), as templates such as spoken_date read it; a call list's date column is checked against it.",
  variableSensitive:
    "Hidden in call logs: a PIN, an account number, a date of birth. The call uses the real value; its record, trace and story show only how long it was, e.g. [hidden: 4 characters].",
  results:
    "The call results this scenario records in its `result` variable (a Set Variable or Hang Up block writes the code), each with the words reports and call records show for it.",
  resultCode: "What the flow writes into `result`: letters, digits and _ (at most 64, what the call register keeps), e.g. will_pay.",
  resultLabel:
    "What reports and call records show for it, in the scenario's language, e.g. Pagará; no invisible direction or zero-width characters.",
  resultDescription: "Notes on the result for whoever edits the scenario; no invisible direction or zero-width characters.",
} as const;
