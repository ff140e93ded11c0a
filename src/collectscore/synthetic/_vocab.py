"""Countries, currencies and the bank descriptions the generator writes.

Everything here is plain data. Descriptions are grouped by *kind* of flow (a
salary, an electricity bill, a card purchase at a supermarket...) and country;
each kind maps to one category of the contract vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from collectscore._contract import CATEGORIES


@dataclass(frozen=True)
class Country:
    """Money and places of one country (amounts in the local currency's units)."""

    code: str
    currency: str
    decimals: int
    #: Median monthly net income of a salaried debtor.
    income_median: float
    #: IANA time zones and the share of debtors living in each.
    timezones: tuple[tuple[str, float], ...]
    fee_overdraft: float
    fee_nsf: float
    fee_monthly: float
    #: ATM withdrawals are multiples of this.
    cash_unit: float
    weight: float


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("CO", "COP", 0, 2_300_000, (("America/Bogota", 1.0),),
                14_000, 18_000, 15_000, 50_000, 0.35),
        Country("US", "USD", 2, 3_400, (("America/New_York", 0.45), ("America/Chicago", 0.30),
                                        ("America/Denver", 0.08), ("America/Los_Angeles", 0.17)),
                35, 34, 12, 20, 0.25),
        Country("MX", "MXN", 2, 13_000, (("America/Mexico_City", 0.70), ("America/Monterrey", 0.18),
                                         ("America/Tijuana", 0.12)),
                250, 350, 120, 500, 0.25),
        Country("CL", "CLP", 0, 800_000, (("America/Santiago", 1.0),),
                8_000, 9_500, 5_500, 20_000, 0.15),
    )
}  # fmt: skip

# Flow kinds: name -> category. Order fixes the integer codes used internally.
KIND_CATEGORY: dict[str, str] = {
    "salary": "income.salary",
    "bonus": "income.salary",
    "pension": "income.pension",
    "benefits": "income.benefits",
    "unemployment": "income.benefits",
    "gig": "income.other",
    "transfer_in": "transfer.in",
    "transfer_out": "transfer.out",
    "rent": "housing",
    "mortgage": "housing",
    "electricity": "utilities",
    "water": "utilities",
    "telecom": "utilities",
    "insurance": "insurance",
    "loan": "loan.repayment",
    "payday_disbursement": "loan.disbursement",
    "payday_repayment": "loan.repayment",
    "subscription": "spending.other",
    "account_fee": "fee.other",
    "groceries": "groceries",
    "spending": "spending.other",
    "cash": "cash.withdrawal",
    "gambling": "gambling",
    "gambling_win": "gambling",
    "reversal": "",  # category of the returned debit
    "nsf_fee": "fee.nsf",
    "overdraft_fee": "fee.overdraft",
    "penalty_interest": "interest.penalty",
    "credit_interest": "interest.credit",
    "collections": "collections.payment",
}
KINDS: tuple[str, ...] = tuple(KIND_CATEGORY)
KIND: dict[str, int] = {k: i for i, k in enumerate(KINDS)}

_ES = {
    "salary": {
        "CO": (
            "NOMINA ACME SA",
            "PAGO NOMINA GRUPO EXITO",
            "ABONO NOMINA ECOPETROL",
            "NOMINA ALPINA PRODUCTOS",
            "PAGO NOMINA BANCOLOMBIA SA",
            "NOMINA CONSTRUCTORA BOLIVAR",
            "PAGO DE NOMINA TERPEL",
            "ABONO NOMINA RAPPI SAS",
            "NOMINA CLINICA DEL COUNTRY",
        ),
        "MX": (
            "NOMINA ACME SA DE CV",
            "PAGO DE NOMINA BIMBO",
            "DEPOSITO NOMINA WALMART DE MEXICO",
            "NOMINA FEMSA COMERCIO",
            "SPEI NOMINA LIVERPOOL",
            "PAGO NOMINA CEMEX",
            "NOMINA GRUPO SALINAS",
            "ABONO NOMINA TELMEX",
        ),
        "CL": (
            "REMUNERACION ACME SPA",
            "PAGO REMUNERACIONES CENCOSUD",
            "ABONO SUELDO FALABELLA",
            "SUELDO CODELCO",
            "PAGO SUELDO SODIMAC",
            "REMUNERACION ENTEL",
            "ABONO REMUNERACION LATAM",
        ),
    },
    "bonus": {
        "CO": ("PRIMA DE SERVICIOS", "PAGO PRIMA SEMESTRAL"),
        "MX": ("AGUINALDO", "PAGO AGUINALDO"),
        "CL": ("AGUINALDO FIESTAS PATRIAS", "BONO AGUINALDO"),
    },
    "pension": {
        "CO": (
            "PENSION COLPENSIONES",
            "MESADA PENSIONAL PORVENIR",
            "PENSION PROTECCION SA",
            "PAGO PENSION COLFONDOS",
        ),
        "MX": ("PENSION IMSS", "PAGO PENSION ISSSTE", "PENSION AFORE XXI BANORTE"),
        "CL": ("PENSION AFP HABITAT", "PAGO PENSION AFP PROVIDA", "PGU IPS", "PENSION AFP CUPRUM"),
    },
    "benefits": {
        "CO": ("SUBSIDIO FAMILIAS EN ACCION", "RENTA CIUDADANA DPS", "SUBSIDIO COLOMBIA MAYOR"),
        "MX": ("BIENESTAR PENSION ADULTOS MAYORES", "BECA BENITO JUAREZ", "APOYO BIENESTAR"),
        "CL": ("APORTE FAMILIAR PERMANENTE IPS", "BONO IPS", "SUBSIDIO UNICO FAMILIAR"),
    },
    "unemployment": {
        "CO": ("SUBSIDIO DESEMPLEO COMPENSAR", "CESANTIAS PORVENIR RETIRO"),
        "MX": ("RETIRO POR DESEMPLEO AFORE", "SEGURO DESEMPLEO CDMX"),
        "CL": ("SEGURO DE CESANTIA AFC", "PAGO SEGURO CESANTIA"),
    },
    "gig": {
        "CO": (
            "PAGO RAPPI SAS",
            "UBER BV PAGO CONDUCTOR",
            "DIDI PAGO CONDUCTOR",
            "TRANSFERENCIA MERQUEO",
            "PAGO HONORARIOS",
        ),
        "MX": (
            "PAGO UBER BV",
            "DIDI FOOD PAGO REPARTIDOR",
            "SPEI RAPPI",
            "PAGO MERCADO LIBRE VENTAS",
            "HONORARIOS SPEI",
        ),
        "CL": (
            "PAGO UBER CONDUCTOR",
            "PEDIDOSYA PAGO",
            "CORNERSHOP PAGO SHOPPER",
            "BOLETA HONORARIOS PAGO",
        ),
    },
    "transfer_in": {
        "CO": (
            "Transferencia recibida",
            "TRANSFERENCIA DE TERCEROS",
            "NEQUI RECIBIDO",
            "DAVIPLATA RECIBIDO",
            "Transferencia recibida de MARIA GOMEZ",
        ),
        "MX": (
            "Transferencia recibida",
            "SPEI RECIBIDO",
            "DEPOSITO DE TERCEROS",
            "TRANSFERENCIA OXXO PAY",
        ),
        "CL": (
            "Transferencia recibida",
            "TRANSFERENCIA DE TERCEROS",
            "TEF RECIBIDA",
            "Transferencia recibida de JUAN PEREZ",
        ),
    },
    "transfer_out": {
        "CO": (
            "TRANSFERENCIA ENVIADA",
            "TRANSFERENCIA A TERCEROS",
            "NEQUI ENVIO",
            "PSE PAGO TERCEROS",
        ),
        "MX": (
            "SPEI ENVIADO",
            "TRANSFERENCIA A TERCEROS",
            "TRASPASO A CUENTA",
            "ENVIO DINERO ELEKTRA",
        ),
        "CL": ("TRANSFERENCIA ENVIADA", "TEF A TERCEROS", "TRASPASO A CUENTA RUT", "MACH ENVIO"),
    },
    "rent": {
        "CO": ("ARRIENDO APARTAMENTO", "PAGO ARRIENDO", "ALQUILER PISO", "CANON ARRENDAMIENTO"),
        "MX": ("RENTA DEPARTAMENTO", "PAGO RENTA CASA", "ALQUILER PISO"),
        "CL": ("ARRIENDO DEPTO", "PAGO ARRIENDO", "ALQUILER PISO"),
    },
    "mortgage": {
        "CO": ("CUOTA CREDITO HIPOTECARIO", "PAGO LEASING HABITACIONAL"),
        "MX": ("PAGO CREDITO INFONAVIT", "HIPOTECA BBVA"),
        "CL": ("DIVIDENDO HIPOTECARIO", "PAGO DIVIDENDO BANCO ESTADO"),
    },
    "electricity": {
        "CO": (
            "PAGO RECIBO LUZ ENEL",
            "PAGO RECIBO LUZ EPM",
            "AIR-E ENERGIA",
            "CELSIA PAGO FACTURA",
        ),
        "MX": ("PAGO RECIBO LUZ CFE", "CFE SUMINISTRADOR DE SERVICIOS"),
        "CL": ("PAGO RECIBO LUZ ENEL", "CGE PAGO CUENTA", "CHILQUINTA ENERGIA"),
    },
    "water": {
        "CO": ("PAGO RECIBO AGUA ACUEDUCTO", "EPM AGUAS", "VANTI GAS NATURAL"),
        "MX": ("PAGO AGUA SACMEX", "NATURGY GAS", "PAGO RECIBO AGUA"),
        "CL": ("AGUAS ANDINAS", "ESSBIO PAGO", "METROGAS PAGO CUENTA"),
    },
    "telecom": {
        "CO": ("CLARO COLOMBIA FACTURA", "MOVISTAR PAGO FACTURA", "TIGO UNE", "ETB INTERNET"),
        "MX": ("TELCEL PAGO", "TELMEX INTERNET", "IZZI TELECOM", "TOTALPLAY"),
        "CL": ("ENTEL PAGO CUENTA", "MOVISTAR CHILE", "VTR BANDA ANCHA", "WOM PAGO"),
    },
    "insurance": {
        "CO": ("SEGURO VIDA SURA", "SEGUROS BOLIVAR CUOTA", "POLIZA ALLIANZ"),
        "MX": ("GNP SEGUROS", "SEGURO AUTO QUALITAS", "AXA SEGUROS PRIMA"),
        "CL": ("SEGURO SALUD CONSORCIO", "METLIFE PRIMA", "SEGURO AUTO BCI"),
    },
    "loan": {
        "CO": (
            "CUOTA PRESTAMO",
            "CUOTA CREDITO BANCOLOMBIA",
            "PAGO TARJETA CREDITO",
            "CUOTA LIBRANZA",
            "CUOTA CREDITO MOTO",
        ),
        "MX": (
            "CUOTA PRESTAMO",
            "PAGO CREDITO COPPEL",
            "PAGO TARJETA CREDITO",
            "ABONO CREDITO ELEKTRA",
            "CUOTA CREDITO AUTO",
        ),
        "CL": (
            "CUOTA PRESTAMO",
            "CUOTA CREDITO CONSUMO",
            "PAGO TARJETA CREDITO",
            "CUOTA CREDITO AUTOMOTRIZ",
        ),
    },
    "payday_disbursement": {
        "CO": ("DESEMBOLSO RAPICREDIT", "DESEMBOLSO LINERU", "AVANZO DESEMBOLSO"),
        "MX": ("DEPOSITO KUESKI", "PRESTAMO BAUBAP", "MONEYMAN DEPOSITO", "TALA PRESTAMO"),
        "CL": ("AVANCE EN EFECTIVO", "CREDITO FLASH DESEMBOLSO", "PRESTAMO EXPRESS"),
    },
    "payday_repayment": {
        "CO": ("PAGO RAPICREDIT", "PAGO LINERU", "AVANZO COBRO CUOTA"),
        "MX": ("PAGO KUESKI", "PAGO BAUBAP", "MONEYMAN COBRO", "TALA PAGO"),
        "CL": ("PAGO AVANCE EN EFECTIVO", "CREDITO FLASH CUOTA", "PAGO PRESTAMO EXPRESS"),
    },
    "subscription": {
        "CO": ("NETFLIX.COM", "SPOTIFY", "SMART FIT MENSUALIDAD", "DISNEY PLUS"),
        "MX": ("NETFLIX.COM", "SPOTIFY", "AMAZON PRIME MX", "SMART FIT"),
        "CL": ("NETFLIX.COM", "SPOTIFY", "ENERGY GIMNASIO", "DISNEY PLUS"),
    },
    "account_fee": {
        "CO": ("CUOTA DE MANEJO", "COMISION MANEJO CUENTA"),
        "MX": ("COMISION MANEJO DE CUENTA", "COMISION SALDO MINIMO"),
        "CL": ("COMISION MANTENCION", "COMISION MANTENCION CUENTA"),
    },
    "groceries": {
        "CO": (
            "COMPRA TARJETA EXITO",
            "COMPRA D1",
            "COMPRA ARA",
            "CARULLA",
            "OLIMPICA",
            "COMPRA JUMBO",
        ),
        "MX": (
            "COMPRA OXXO",
            "WALMART SUPERCENTER",
            "SORIANA",
            "CHEDRAUI",
            "BODEGA AURRERA",
            "COMPRA LA COMER",
        ),
        "CL": ("COMPRA LIDER", "JUMBO", "UNIMARC", "SANTA ISABEL", "TOTTUS", "COMPRA ACUENTA"),
    },
    "spending": {
        "CO": (
            "UBER TRIP",
            "RAPPI*RESTAURANTE",
            "TERPEL EDS",
            "FARMACIA CRUZ VERDE",
            "FALABELLA",
            "MERCADOLIBRE",
            "JUAN VALDEZ CAFE",
            "CINE COLOMBIA",
            "TRANSMILENIO RECARGA",
            "COMPRA TARJETA HOMECENTER",
            "DROGUERIA LA REBAJA",
            "CREPES & WAFFLES",
        ),
        "MX": (
            "UBER TRIP",
            "DIDI FOOD",
            "PEMEX GASOLINERA",
            "FARMACIAS DEL AHORRO",
            "LIVERPOOL",
            "MERCADOLIBRE",
            "STARBUCKS",
            "CINEPOLIS",
            "AMAZON MX",
            "COPPEL TIENDA",
            "FARMACIA GUADALAJARA",
            "VIPS RESTAURANTE",
        ),
        "CL": (
            "UBER TRIP",
            "PEDIDOSYA",
            "COPEC",
            "FARMACIAS AHUMADA",
            "PARIS.CL",
            "MERCADOLIBRE",
            "STARBUCKS",
            "CINEMARK",
            "CARGA BIP",
            "SODIMAC",
            "CRUZ VERDE",
            "JUAN MAESTRO",
        ),
    },
    "cash": {
        "CO": ("RETIRO CAJERO", "RETIRO CAJERO AUTOMATICO", "RETIRO EFECTIVO CORRESPONSAL"),
        "MX": ("RETIRO CAJERO", "DISPOSICION EFECTIVO ATM", "RETIRO EN OXXO"),
        "CL": ("RETIRO CAJERO", "GIRO CAJERO AUTOMATICO", "RETIRO CAJA VECINA"),
    },
    "gambling": {
        "CO": ("BETPLAY APUESTA", "WPLAY.CO", "RUSHBET", "CODERE CO"),
        "MX": ("CALIENTE.MX", "CODERE MX", "BETCRIS", "STRENDUS"),
        "CL": ("JUGABET", "POLLA CHILENA", "BETANO CL", "DREAMZ CASINO"),
    },
    "gambling_win": {
        "CO": ("PREMIO BETPLAY", "RETIRO GANANCIAS WPLAY"),
        "MX": ("RETIRO CALIENTE.MX", "PREMIO CODERE"),
        "CL": ("PREMIO POLLA CHILENA", "RETIRO JUGABET"),
    },
    "reversal": {
        "CO": ("DEVOLUCION RECIBO", "DEVOLUCION DEBITO AUTOMATICO", "RECHAZO DOMICILIACION"),
        "MX": ("DEVOLUCION RECIBO", "DOMICILIACION RECHAZADA", "DEVOLUCION CARGO DOMICILIADO"),
        "CL": ("DEVOLUCION RECIBO", "PAC RECHAZADO", "DEVOLUCION CARGO AUTOMATICO"),
    },
    "nsf_fee": {
        "CO": ("COMISION DEVOLUCION RECIBO", "COMISION FONDOS INSUFICIENTES"),
        "MX": ("COMISION DOMICILIACION RECHAZADA", "COMISION FONDOS INSUFICIENTES"),
        "CL": ("COMISION PAC RECHAZADO", "COMISION FONDOS INSUFICIENTES"),
    },
    "overdraft_fee": {
        "CO": ("COMISION DESCUBIERTO", "COMISION SOBREGIRO"),
        "MX": ("COMISION SOBREGIRO", "COMISION DESCUBIERTO"),
        "CL": ("COMISION SOBREGIRO LINEA CREDITO", "COMISION DESCUBIERTO"),
    },
    "penalty_interest": {
        "CO": ("INTERESES DE MORA SOBREGIRO", "INTERESES DESCUBIERTO"),
        "MX": ("INTERESES MORATORIOS", "INTERESES DESCUBIERTO"),
        "CL": ("INTERESES LINEA DE CREDITO", "INTERESES DESCUBIERTO"),
    },
    "credit_interest": {
        "CO": ("ABONO INTERESES", "RENDIMIENTOS CUENTA AHORROS"),
        "MX": ("ABONO INTERESES", "RENDIMIENTOS"),
        "CL": ("ABONO INTERESES", "INTERESES GANADOS"),
    },
    "collections": {
        "CO": (
            "PAGO OBLIGACION COBRANZAS ACME SAS",
            "PSE PAGO CREDITO EN MORA",
            "ABONO OBLIGACION RECAUDO",
        ),
        "MX": ("PAGO COBRANZA ACME SA DE CV", "SPEI PAGO ADEUDO", "ABONO CONVENIO DE PAGO"),
        "CL": ("PAGO COBRANZA ACME SPA", "PAGO DEUDA MOROSA", "ABONO REPACTACION"),
    },
}

_EN = {
    "salary": (
        "PAYROLL DEPOSIT ACME CORP",
        "DIRECT DEP GUSTO PAYROLL",
        "ADP PAYROLL DIRECT DEP",
        "WALMART PAYROLL",
        "AMAZON.COM SVCS PAYROLL",
        "TARGET CORP PAYROLL",
        "PAYCHEX DIR DEP",
    ),
    "bonus": ("BONUS PAYROLL ACME CORP", "DIRECT DEP BONUS"),
    "pension": (
        "SSA TREAS 310 XXSOC SEC",
        "SOC SEC DIRECT DEP",
        "PENSION FIDELITY INVEST",
        "CALPERS RETIREMENT",
    ),
    "benefits": ("SSI TREAS 310", "EBT SNAP DEPOSIT", "IRS TREAS 310 CHILD CTC"),
    "unemployment": ("UNEMPLOYMENT INS BENEFIT", "NYS DOL UI DD", "TX WORKFORCE COMM UI"),
    "gig": (
        "UBER PAYOUT",
        "DOORDASH DASHER PAY",
        "LYFT DRIVER PAYOUT",
        "INSTACART SHOPPER PAY",
        "UPWORK ESCROW",
    ),
    "transfer_in": (
        "ZELLE FROM JOHN SMITH",
        "VENMO CASHOUT",
        "Transfer received",
        "CASH APP TRANSFER IN",
        "ONLINE TRANSFER FROM SAV",
    ),
    "transfer_out": (
        "ZELLE TO MARIA LOPEZ",
        "VENMO PAYMENT",
        "CASH APP SEND",
        "ONLINE TRANSFER TO SAV",
        "WESTERN UNION SEND",
    ),
    "rent": ("RENT PAYMENT", "ZELLE RENT PMT", "ALQUILER PISO", "APARTMENT RENT ACH"),
    "mortgage": ("MORTGAGE PMT WELLS FARGO", "ROCKET MORTGAGE PMT"),
    "electricity": ("CON EDISON BILL PAY", "DUKE ENERGY PMT", "PG&E WEB ONLINE", "FPL ELECTRIC"),
    "water": ("CITY WATER UTILITY", "SOCALGAS PAYMENT", "NICOR GAS BILL"),
    "telecom": (
        "VERIZON WIRELESS",
        "AT&T PAYMENT",
        "T-MOBILE AUTOPAY",
        "COMCAST XFINITY",
        "SPECTRUM",
    ),
    "insurance": ("GEICO AUTO INS", "STATE FARM INSURANCE", "PROGRESSIVE INS PREM", "ALLSTATE INS"),
    "loan": (
        "LOAN PAYMENT",
        "AUTO LOAN PMT ALLY",
        "CAPITAL ONE CARD PMT",
        "SALLIE MAE STUDENT LN",
        "DISCOVER CARD PAYMENT",
    ),
    "payday_disbursement": (
        "CASH AMERICA LOAN DEP",
        "SPEEDY CASH DEPOSIT",
        "DAVE INC ADVANCE",
        "EARNIN ADVANCE",
        "MONEYLION INSTACASH",
    ),
    "payday_repayment": (
        "CASH AMERICA PAYMENT",
        "SPEEDY CASH ACH",
        "DAVE INC REPAYMENT",
        "EARNIN REPAYMENT",
        "MONEYLION REPAY",
    ),
    "subscription": ("NETFLIX.COM", "SPOTIFY USA", "PLANET FITNESS", "HULU", "AMAZON PRIME"),
    "account_fee": ("MONTHLY SERVICE FEE", "MAINTENANCE FEE"),
    "groceries": (
        "CARD PURCHASE KROGER",
        "CARD PURCHASE WALMART",
        "SAFEWAY",
        "PUBLIX SUPER MKT",
        "ALDI",
        "TRADER JOE'S",
        "CARD PURCHASE MERCADONA",
    ),
    "spending": (
        "UBER TRIP",
        "DOORDASH ORDER",
        "SHELL OIL",
        "CVS PHARMACY",
        "AMAZON MKTPLACE",
        "TARGET",
        "STARBUCKS",
        "MCDONALD'S",
        "HOME DEPOT",
        "WALGREENS",
        "CHEVRON",
        "AMC THEATRES",
    ),
    "cash": ("ATM WITHDRAWAL", "NON-BANK ATM WITHDRAWAL", "RETIRO CAJERO"),
    "gambling": ("DRAFTKINGS", "FANDUEL SPORTSBOOK", "BETMGM", "POKERSTARS"),
    "gambling_win": ("DRAFTKINGS WITHDRAWAL", "FANDUEL PAYOUT"),
    "reversal": ("RETURNED ITEM", "ACH DEBIT RETURNED", "RETURNED PAYMENT REVERSAL"),
    "nsf_fee": ("NSF RETURNED ITEM FEE", "INSUFFICIENT FUNDS FEE"),
    "overdraft_fee": ("OVERDRAFT FEE", "OVERDRAFT ITEM FEE"),
    "penalty_interest": ("OVERDRAFT INTEREST CHARGE", "EXTENDED OVERDRAFT CHARGE"),
    "credit_interest": ("INTEREST PAYMENT", "INTEREST EARNED"),
    "collections": (
        "PAYMENT ACME RECOVERY SVCS",
        "ONLINE PMT DEBT COLLECTOR",
        "COLLECTION AGENCY PMT",
    ),
}

_LANG_FALLBACK = {"US": "en"}


def _descriptions(kind: str, country: str) -> tuple[str, ...]:
    if _LANG_FALLBACK.get(country) == "en":
        return _EN[kind]
    return _ES[kind][country]


COUNTRY_CODES: tuple[str, ...] = tuple(COUNTRIES)


def _build() -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    vocab: list[str] = []
    index: dict[str, int] = {}
    table: list[int] = []
    start = np.zeros((len(KINDS), len(COUNTRY_CODES)), dtype=np.int64)
    count = np.zeros_like(start)
    for k, kind in enumerate(KINDS):
        for c, country in enumerate(COUNTRY_CODES):
            texts = _descriptions(kind, country)
            start[k, c], count[k, c] = len(table), len(texts)
            for text in texts:
                if text not in index:
                    index[text] = len(vocab)
                    vocab.append(text)
                table.append(index[text])
    return tuple(vocab), np.asarray(table, dtype=np.int64), start, count


#: Every description once (codes index into it); per (kind, country) the first
#: position in the code table and the number of descriptions.
VOCAB, _GROUP_CODES, DESC_START, DESC_COUNT = _build()

#: Category code of each kind (-1 for a reversal: it takes the returned debit's).
CATEGORY_CODE: np.ndarray = np.array(
    [CATEGORIES.index(c) if c else -1 for c in KIND_CATEGORY.values()], dtype=np.int64
)


def description_codes(kind: np.ndarray, country: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """Vocabulary codes of descriptions: ``pick`` in [0, 1) chooses within the group."""
    count = DESC_COUNT[kind, country]
    offset = np.minimum((pick * count).astype(np.int64), count - 1)
    return _GROUP_CODES[DESC_START[kind, country] + offset]
