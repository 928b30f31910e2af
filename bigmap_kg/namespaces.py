"""Namespaces and named graphs. ``BMK`` is checked against ``ontology/`` by a test."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BMK_IRI = "https://w3id.org/bigmap-kg/ontology#"
ID = Namespace("https://w3id.org/bigmap-kg/id/")
GRAPH = Namespace("https://w3id.org/bigmap-kg/graph/")
CHAMEO = Namespace("https://w3id.org/emmo/domain/characterisation-methodology/chameo#")
EMMO = Namespace("https://w3id.org/emmo#")

ONTOLOGY_GRAPH = GRAPH["ontology"]
SHAPES_GRAPH = GRAPH["shapes"]
CATALOGUE_GRAPH = GRAPH["catalogue"]
BATCH_PREFIX = str(GRAPH) + "batch/"
#: Derived from the rest of the store and kept current on every write (bigmap_kg/summary.py).
SUMMARY_GRAPH = GRAPH["summary"]
NAMES_GRAPH = GRAPH["names"]
DERIVED_GRAPHS = (str(SUMMARY_GRAPH), str(NAMES_GRAPH))


class BMK(DefinedNamespace):
    """The bigmap-kg ontology terms."""

    _fail = True
    _NS = Namespace(BMK_IRI)

    # classes
    ArchiveRecord: URIRef
    CellGeometry: URIRef
    CellOrigin: URIRef
    CharacterisationRequest: URIRef
    CorrelationGroup: URIRef
    DataFile: URIRef
    ElectrochemicalCell: URIRef
    FacilityKind: URIRef
    HolderCompatibility: URIRef
    IndustrialPartner: URIRef
    Instrument: URIRef
    InstrumentShapeCount: URIRef
    InstrumentTechniqueCount: URIRef
    LaboratoryPartner: URIRef
    LargeScaleFacility: URIRef
    Level: URIRef
    LogbookCount: URIRef
    LogbookSummary: URIRef
    Material: URIRef
    MatrixEntry: URIRef
    Measurement: URIRef
    MeasurementMode: URIRef
    MeasurementPlan: URIRef
    NotebookEntry: URIRef
    Observable: URIRef
    ObservableCapability: URIRef
    Partner: URIRef
    PartnerTechniqueCount: URIRef
    Person: URIRef
    PlanQuadrant: URIRef
    PlanStep: URIRef
    Protocol: URIRef
    Quantity: URIRef
    QuantityKind: URIRef
    Reference: URIRef
    RegionOfInterestKind: URIRef
    Sample: URIRef
    SampleFormatCategory: URIRef
    SampleHolder: URIRef
    SampleIntegrity: URIRef
    SampleShape: URIRef
    Shipment: URIRef
    ShipmentContent: URIRef
    ShipmentStatus: URIRef
    Site: URIRef
    Status: URIRef
    Technique: URIRef
    TechniqueCluster: URIRef
    Trigger: URIRef
    Unit: URIRef
    UnnamedInstrumentCount: URIRef
    UnnamedInstrumentShapeCount: URIRef
    UsageCount: URIRef

    # properties
    acceptsSampleShape: URIRef
    additionalInformation: URIRef
    airTight: URIRef
    amount: URIRef
    answersRequest: URIRef
    atSite: URIRef
    attributedThrough: URIRef
    author: URIRef
    availability: URIRef
    batch: URIRef
    casingMaterial: URIRef
    cellOrigin: URIRef
    citation: URIRef
    city: URIRef
    compatibleInstrument: URIRef
    compatiblePartner: URIRef
    costScore: URIRef
    countedInstrument: URIRef
    countedPartner: URIRef
    countedSampleShape: URIRef
    countedTechnique: URIRef
    country: URIRef
    created: URIRef
    derivedFrom: URIRef
    description: URIRef
    design: URIRef
    desiredCost: URIRef
    desiredFidelity: URIRef
    destructive: URIRef
    detectionLimitAndContrast: URIRef
    documents: URIRef
    doi: URIRef
    electrochemicalPerformance: URIRef
    endDate: URIRef
    facilityKind: URIRef
    fidelityScore: URIRef
    fileName: URIRef
    followedProtocol: URIRef
    follows: URIRef
    formula: URIRef
    geometry: URIRef
    groupObservable: URIRef
    hasCompatibility: URIRef
    hasContent: URIRef
    hasCorrelationGroup: URIRef
    hasFile: URIRef
    hasObservableCapability: URIRef
    hasReference: URIRef
    hasSite: URIRef
    hasStep: URIRef
    homepage: URIRef
    identifier: URIRef
    inCellIndex: URIRef
    inCluster: URIRef
    instrument: URIRef
    intendedTechnique: URIRef
    investigatedObservable: URIRef
    linksRecord: URIRef
    listsCell: URIRef
    listsInstrument: URIRef
    listsSampleHolder: URIRef
    locatedAt: URIRef
    madeOf: URIRef
    mappingDimension: URIRef
    maxValue: URIRef
    measuredSample: URIRef
    measurementCount: URIRef
    minValue: URIRef
    mode: URIRef
    model: URIRef
    nameKey: URIRef
    observable: URIRef
    observablesText: URIRef
    operandoRequired: URIRef
    operandoTimeResolution: URIRef
    operatedBy: URIRef
    operator: URIRef
    optimisedForInstrument: URIRef
    optimisedForText: URIRef
    originalText: URIRef
    otherTechnique: URIRef
    penetrationDepth: URIRef
    penetrationDepthResolution: URIRef
    performedBy: URIRef
    preparationComplexity: URIRef
    preparedBy: URIRef
    primaryTechnique: URIRef
    probedArea: URIRef
    probedAreaResolution: URIRef
    quadrant: URIRef
    quality: URIRef
    quantityKind: URIRef
    queuedSamples: URIRef
    receptionDate: URIRef
    receptionMonth: URIRef
    recipient: URIRef
    referenceNumber: URIRef
    requestsObservable: URIRef
    requiredTimeResolution: URIRef
    roiKind: URIRef
    roiSize: URIRef
    rowCount: URIRef
    rowOrder: URIRef
    sampleCount: URIRef
    sampleFormatCategory: URIRef
    sampleIntegrity: URIRef
    sampleKind: URIRef
    sampleShape: URIRef
    sender: URIRef
    servesTechnique: URIRef
    sha256: URIRef
    shipDate: URIRef
    shipmentCount: URIRef
    shipmentStatus: URIRef
    shippedSample: URIRef
    siFactor: URIRef
    startDate: URIRef
    startMonth: URIRef
    stateOfHealth: URIRef
    status: URIRef
    stepOrder: URIRef
    summaryVersion: URIRef
    symbol: URIRef
    tag: URIRef
    technicalSpecification: URIRef
    technique: URIRef
    toLargeScaleFacility: URIRef
    triggeredBy: URIRef
    tripleCount: URIRef
    typicalLengthScale: URIRef
    unit: URIRef
    url: URIRef
    usableOnInstrument: URIRef
    usedCell: URIRef
    usedSampleHolder: URIRef
    windowMaterial: URIRef

    # vocabulary individuals
    AITrigger: URIRef
    AnyLevel: URIRef
    Area: URIRef
    Available: URIRef
    AverageROI: URIRef
    BulkSpectroscopy: URIRef
    CoinCellShape: URIRef
    Commercial: URIRef
    CommercialCell: URIRef
    CylindricalCellShape: URIRef
    Degrading: URIRef
    Delivered: URIRef
    Destructive: URIRef
    DiffractionAndScattering: URIRef
    Duration: URIRef
    ElectrodeShape: URIRef
    Energy: URIRef
    ExSitu: URIRef
    Fraction: URIRef
    High: URIRef
    HighFidelityHighCost: URIRef
    HighFidelityLowCost: URIRef
    Homemade: URIRef
    Imaging: URIRef
    InDevelopment: URIRef
    InSitu: URIRef
    InTransit: URIRef
    Length: URIRef
    LiquidElectrolyteShape: URIRef
    LaboratoryFacility: URIRef
    Lost: URIRef
    Low: URIRef
    LowFidelityHighCost: URIRef
    LowFidelityLowCost: URIRef
    Medium: URIRef
    Model: URIRef
    ModelCellShape: URIRef
    ModellingTrigger: URIRef
    NeutronFacility: URIRef
    NonDestructive: URIRef
    Operando: URIRef
    PlannedTrigger: URIRef
    PostMortem: URIRef
    PouchCellShape: URIRef
    PowderShape: URIRef
    RandomROI: URIRef
    Realistic: URIRef
    Reflection: URIRef
    RequestTrigger: URIRef
    SeparatorShape: URIRef
    SpecificROI: URIRef
    SurfaceSpectroscopy: URIRef
    SynchrotronFacility: URIRef
    ThinFilmShape: URIRef
    Transmission: URIRef
    angstrom: URIRef
    atomicPercent: URIRef
    centimetre: URIRef
    electronvolt: URIRef
    hour: URIRef
    kiloelectronvolt: URIRef
    metre: URIRef
    micrometre: URIRef
    millimetre: URIRef
    millisecond: URIRef
    minute: URIRef
    nanometre: URIRef
    percent: URIRef
    ppm: URIRef
    second: URIRef
    squareCentimetre: URIRef
    squareMicrometre: URIRef
    squareMillimetre: URIRef
    weightPercent: URIRef
