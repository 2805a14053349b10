import './base.css';
import './datalake.css';
import './catalogue.css';
import './workflows.css';
import './status.css';
import './provenance.css';
