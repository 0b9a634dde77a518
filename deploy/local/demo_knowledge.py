"""Demo knowledge articles (how-tos and troubleshooting), published through the gateway's API by the operator.

Idempotent: servicedesk keeps one article per title and answers 409 for a title it holds, so
running it again publishes only what is missing and changes nothing else.
"""
from __future__ import annotations

from demo_billing import _call

ADVANCE_DX = "imageRUNNER ADVANCE DX"
ARTICLES: tuple[dict, ...] = (
    {
        "title": "Atasco de papel en la imageRUNNER ADVANCE",
        "tags": ["atasco", "papel", "bandejas"],
        "models": [ADVANCE_DX],
        "body": """La pantalla muestra dónde quedó la hoja y una animación con los pasos. Sígala en orden.

1. Abra la cubierta que indica la pantalla (frontal, derecha o la de la bandeja).
2. Tire de la hoja **despacio y con las dos manos**, en el sentido en que avanza el papel.
3. Revise que no queden trozos rotos; un pedazo pequeño vuelve a atascar el equipo.
4. Cierre todas las cubiertas: el equipo reanuda el trabajo solo.

> No toque la unidad de fijación: está caliente justo después de imprimir.

Si el atasco se repite en la misma bandeja, revise que las guías toquen el papel y que la
bandeja tenga el tamaño y tipo de papel correctos.""",
    },
    {
        "title": "Cambiar el cartucho de tóner",
        "tags": ["tóner", "consumibles"],
        "models": [ADVANCE_DX, "imageRUNNER 2630"],
        "body": """Cuando la pantalla muestra *Prepare un cartucho de tóner*, quedan unas cuantas centenas de
páginas. Cámbielo cuando indique *Cambie el cartucho*.

1. Abra la cubierta del tóner (frontal).
2. Gire o jale el cartucho del color indicado y retírelo.
3. Agite el cartucho nuevo de lado a lado **diez veces** para repartir el tóner.
4. Insértelo hasta que haga clic y cierre la cubierta.

Con e-Maintenance no hace falta pedirlo: si su ubicación de stock está bajo el punto de
reorden, el pedido se genera solo. El cartucho usado se entrega al técnico o en un centro de
reciclaje.""",
    },
    {
        "title": "Escanear y enviar a correo electrónico",
        "tags": ["escaneo", "correo", "red"],
        "models": [ADVANCE_DX],
        "body": """Para enviar escaneos por correo, el equipo necesita un servidor SMTP.

**Configurar una vez** (administrador del equipo):

1. Entre a *Configuración/Registro > Preferencias > Red > Config. de correo electrónico/I-Fax*.
2. Escriba el servidor SMTP, el puerto (587 con TLS) y la cuenta que envía.
3. Envíe un correo de prueba a su dirección.

**Escanear**: coloque el documento, toque *Escanear y enviar*, elija *Correo electrónico*,
escriba o busque la dirección en la libreta y pulse *Iniciar*.

Si el correo no llega, revise la carpeta de spam y que el archivo no supere el límite del servidor.""",
    },
    {
        "title": "Leer los contadores del equipo",
        "tags": ["contadores", "lecturas", "facturación"],
        "models": [ADVANCE_DX, "imageRUNNER 2630"],
        "body": """Las lecturas de contadores son la base de su facturación por página.

1. Pulse la tecla **Contador/Dispositivo** del panel.
2. La pantalla muestra el contador total y, en equipos a color, blanco y negro y color por separado.
3. Anote los números tal como aparecen, sin redondear.

Registre la lectura en el portal en *Equipos > Lecturas*. El portal no acepta una lectura menor
que la anterior ni dos lecturas del mismo equipo el mismo día.""",
    },
    {
        "title": "Conectar el equipo a la red inalámbrica (Wi-Fi)",
        "tags": ["red", "wifi", "configuración"],
        "models": [ADVANCE_DX],
        "body": """1. Entre a *Configuración/Registro > Preferencias > Red > Configuración de LAN inalámbrica*.
2. Elija *Seleccionar punto de acceso* y busque el nombre (SSID) de su red.
3. Escriba la clave de la red y pulse *Aplicar*.
4. Reinicie el equipo cuando se le pida.

El equipo no usa red cableada e inalámbrica a la vez. Si su red usa un portal de acceso o
autenticación empresarial, pida a su área de sistemas los datos de conexión.""",
    },
    {
        "title": "Códigos de error E000 a E004: unidad de fijación",
        "tags": ["errores", "fijación", "servicio"],
        "models": [ADVANCE_DX, "imageRUNNER 2630"],
        "body": """Los códigos **E000** a **E004** indican que la unidad de fijación no alcanzó o no mantuvo
su temperatura.

1. Apague el equipo con el interruptor principal.
2. Espere al menos **10 segundos** y vuelva a encenderlo.
3. Si el código vuelve a aparecer, no siga intentando: reporte un incidente en el portal con el
   código exacto y el número de serie.

Estos códigos no se borran desde el panel; el técnico los restablece en la visita.""",
    },
    {
        "title": "Reportar una falla desde el portal",
        "tags": ["incidentes", "soporte"],
        "models": [],
        "body": """En *Incidentes > Nuevo* elija el equipo, la categoría de la falla y describa qué ocurre:
el mensaje o código de la pantalla, desde cuándo y qué intentó.

El tiempo de respuesta de su contrato cuenta en horas hábiles. Un reporte enviado fuera de horario
empieza a contar en la siguiente hora hábil. Puede seguir el avance y agregar comentarios en el
mismo incidente.""",
    },
    {
        "title": "Cargar papel y sobres en la bandeja manual",
        "tags": ["papel", "bandejas", "sobres"],
        "models": [ADVANCE_DX],
        "body": """La bandeja manual acepta sobres, etiquetas y papel grueso.

1. Abra la bandeja y extienda el soporte.
2. Coloque el papel con la cara a imprimir **hacia abajo**; los sobres con la solapa cerrada.
3. Ajuste las guías al ancho del papel sin doblarlo.
4. En la pantalla, elija el tamaño y el tipo de papel que cargó.

Un tipo de papel mal elegido es la causa más común de tóner que se despega del papel grueso.""",
    },
    {
        "title": "La impresión sale con rayas o manchas",
        "tags": ["calidad", "limpieza"],
        "models": [ADVANCE_DX],
        "body": """Rayas a lo largo de la hoja suelen venir del cristal del alimentador o del tambor.

- **Solo en copias y escaneos**: limpie con un paño suave y seco la franja estrecha de cristal a
  la izquierda del cristal de exposición.
- **También en impresiones desde la PC**: ejecute *Ajuste/Mantenimiento > Mantenimiento >
  Limpiar unidad de fijación*.
- **Manchas de un solo color**: revise que el cartucho de ese color no esté por terminarse.

Si persiste, reporte un incidente y adjunte una hoja de muestra al técnico.""",
    },
    {
        "title": "Paper jam in the imageRUNNER ADVANCE",
        "tags": ["paper jam", "trays"],
        "models": [ADVANCE_DX],
        "body": """The touch panel shows where the sheet is stuck and animates the steps.

1. Open the cover the screen points to.
2. Pull the sheet out **slowly, with both hands**, in the direction paper travels.
3. Check that no torn pieces remain.
4. Close every cover; printing resumes on its own.

> Do not touch the fixing unit: it is hot right after printing.""",
    },
    {
        "title": "Replacing a toner cartridge",
        "tags": ["toner", "supplies"],
        "models": [ADVANCE_DX, "imageRUNNER 2630"],
        "body": """When the screen says *Prepare a toner cartridge*, a few hundred pages remain; replace it when it
says *Replace the cartridge*.

1. Open the toner cover.
2. Take out the cartridge of the colour shown.
3. Shake the new one side to side **ten times**.
4. Push it in until it clicks and close the cover.

With e-Maintenance the replacement ships on its own when your stock location runs low.""",
    },
    {
        "title": "Reading the meter counters",
        "tags": ["meter", "counters", "billing"],
        "models": [ADVANCE_DX, "imageRUNNER 2630"],
        "body": """Press the **Counter/Device Information** key. The screen lists the total counter and, on colour
devices, black and colour separately. Enter the figures in the portal under *Devices > Meter
readings*; a reading lower than the previous one, or a second one the same day, is refused.""",
    },
)


def seed(base_url: str, operator: str, password: str) -> str:
    status, tokens = _call(base_url, "POST", "/api/v1/auth/login", {"username": operator, "password": password})
    if status != 200:
        raise RuntimeError(f"operator sign-in failed ({status}): {tokens}")
    token = tokens["access_token"]
    published = 0
    for article in ARTICLES:
        status, answer = _call(base_url, "POST", "/api/v1/knowledge", article, token)
        if status == 201:
            published += 1
        elif status != 409:  # 409: an article with this title is there from an earlier run
            raise RuntimeError(f"publishing {article['title']!r} failed ({status}): {answer}")
    return (f"Knowledge demo data: {published} new articles "
            f"({len(ARTICLES) - published} already there), in Spanish and English.")
